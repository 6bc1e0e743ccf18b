using Gateway.Api;
using Gateway.Api.Auth;
using Gateway.Api.Bridges;
using Gateway.Api.Errors;
using Gateway.Api.Features.Contacts;
using Gateway.Api.Features.Credentials;
using Gateway.Api.Features.Devices;
using Gateway.Api.Features.Docs;
using Gateway.Api.Features.Messages;
using Gateway.Api.Features.Tokens;
using Gateway.Api.Features.Webhooks;
using Gateway.Api.Matrix;
using Gateway.Api.Startup;
using Gateway.Shared.Data;
using Gateway.Shared.Security;

DotNetEnv.Env.TraversePath().NoClobber().Load(); // CLIENT_ID/CLIENT_SECRET from a .env when run on its own

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<GatewayDb>("gateway",
    settings => settings.DisableRetry = true, // our transactions are explicit; EF's retrying strategy forbids them
    options => options.UseGatewayConventions());
// Redis may start after us (services start in any order in a deployment): connect in the background and keep trying.
builder.AddRedisClient("redis", configureOptions: redis => redis.AbortOnConnectFail = false);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<ApiTelemetry>();
builder.Services.AddMemoryCache();
builder.Services.AddSecretBox(builder.Configuration);
builder.Services.AddGatewayJson();
builder.Services.AddGatewayProblemDetails();
builder.AddRequestLimits();
builder.AddClientAddresses();

builder.AddHomeserver();
builder.AddBridges();
builder.AddTokens();
builder.AddDevices();
builder.AddMessages();
builder.AddWebhooks();
builder.AddGatewayAuth();
builder.AddDocs();

var app = builder.Build();
await app.PrepareDatabaseAsync();

app.UseClientAddresses();
app.UseGatewayErrors();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapDocs();
app.MapCredentialsApi();
app.MapTokensApi();
app.MapDevicesApi();
app.MapLinkPage();
app.MapMessagesApi();
app.MapMessageActionsApi();
app.MapContactsApi();
app.MapWebhooksApi();

app.Run();

public partial class Program;
