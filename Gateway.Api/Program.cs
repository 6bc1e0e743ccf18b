using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
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
using Gateway.Shared.Redis;
using Gateway.Shared.Security;
using Gateway.Shared.Webhooks;
using Gateway.Shared.Matrix;

DotNetEnv.Env.TraversePath().NoClobber().Load(); // CLIENT_ID/CLIENT_SECRET from a .env when run on its own

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<GatewayDb>("gateway",
    settings => settings.DisableRetry = true, // our transactions are explicit; EF's retrying strategy forbids them
    options => options.UseGatewayConventions());
builder.AddRedisClient("redis");

builder.AddHomeserver();
builder.AddBridges();

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddMemoryCache();
builder.Services.AddSecretBox(builder.Configuration);
builder.Services.AddScoped<TokenIssuer>();
builder.Services.AddScoped<TokenRevocation>();
builder.Services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section)
    .Validate(o => o.KeepExpiredFor >= TimeSpan.Zero && o.CleanupInterval > TimeSpan.Zero,
        "Tokens:KeepExpiredFor must not be negative and Tokens:CleanupInterval must be positive")
    .ValidateOnStart();
builder.Services.AddHostedService<ExpiredTokenCleanup>();
builder.Services.AddSingleton<IdentityAnnouncements>();
builder.Services.AddSingleton<AccessCache>();
builder.Services.AddHostedService(services => services.GetRequiredService<AccessCache>());
builder.Services.AddScoped<MatrixTokens>();
builder.Services.AddScoped<DeviceLinking>();
builder.Services.AddScoped<DeviceUnlinking>();
builder.Services.AddScoped<LinkedDevices>();
builder.Services.AddSingleton<LinkFrameRelay>();
builder.Services.AddScoped<MessageSender>();
builder.Services.AddSingleton<SendRateLimiter>();
builder.Services.AddOptions<SendRateLimitOptions>().BindConfiguration(SendRateLimitOptions.Section);
builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section);
builder.Services.AddSingleton<WebhookUrlPolicy>();
var maxFileBytes = builder.Configuration.GetValue("Messages:MaxFileBytes", MessagesApi.DefaultMaxFileBytes);
builder.Services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = maxFileBytes);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxFileBytes + 1024 * 1024); // the file plus its fields

builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
    json.SerializerOptions.Converters.Add(new UtcTimestampConverter());
});
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.AddGatewayProblemDetails();
builder.Services.AddGatewayAuth();
builder.Services.AddOpenApi(options => options.AddDocumentTransformer<SecuritySchemesTransformer>());

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
