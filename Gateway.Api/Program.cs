using Gateway.Api.Auth;
using Gateway.Api.Bridges;
using Gateway.Api.Errors;
using Gateway.Api.Features.Credentials;
using Gateway.Api.Features.Devices;
using Gateway.Api.Features.Docs;
using Gateway.Api.Features.Messages;
using Gateway.Api.Features.Tokens;
using Gateway.Api.Features.Webhooks;
using Gateway.Api.Matrix;
using Gateway.Api.Startup;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Security;

DotNetEnv.Env.TraversePath().NoClobber().Load(); // CLIENT_ID/CLIENT_SECRET from a .env when run on its own

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<GatewayDb>("gateway",
    settings => settings.DisableRetry = true, // our transactions are explicit; EF's retrying strategy forbids them
    options => options.UseGatewayConventions());
builder.AddRedisClient("redis");

builder.Services.AddOptions<MatrixOptions>().BindConfiguration(MatrixOptions.Section).ValidateOnStart();
var homeserver = builder.Configuration.GetValue<Uri>("Matrix:HomeserverUrl")
    ?? throw new InvalidOperationException("Matrix:HomeserverUrl is not set.");
builder.Services.AddHealthChecks().AddUrlGroup(new Uri(homeserver, "/health"), name: "homeserver");
builder.Services.AddHttpClient<IMatrixUserProvisioner, SynapseAdminProvisioner>(http => http.BaseAddress = homeserver).RetryingOnlyRepeatableCalls();
builder.Services.AddHttpClient<MatrixClient>(http => http.BaseAddress = homeserver).RetryingOnlyRepeatableCalls();
builder.Services.AddScoped<UpstreamTime>();
builder.Services.AddOptions<BridgeOptions>().BindConfiguration(BridgeOptions.Section);
builder.Services.AddScoped<MatrixSessions>();
builder.Services.AddScoped<ManagementRooms>();
builder.Services.AddScoped<BotConversation>();
builder.Services.AddScoped<RecipientResolver>();

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddMemoryCache();
builder.Services.AddSecretBox(builder.Configuration);
builder.Services.AddGatewayJson();
builder.Services.AddGatewayProblemDetails();

builder.AddTokens();
builder.AddDevices();
builder.AddMessages();
builder.AddWebhooks();
builder.AddGatewayAuth();
builder.AddDocs();

var app = builder.Build();
await app.PrepareDatabaseAsync();

app.UseGatewayErrors();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapDocs();
app.MapCredentialsApi();
app.MapTokensApi();
app.MapDevicesApi();
app.MapMessagesApi();
app.MapWebhooksApi();

app.Run();

public partial class Program;
