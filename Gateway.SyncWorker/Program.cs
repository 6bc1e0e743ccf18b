using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Gateway.Shared.Webhooks;
using Gateway.SyncWorker.Bridges;
using Gateway.SyncWorker.Delivery;
using Gateway.SyncWorker.Incoming;
using Gateway.SyncWorker.Matrix;
using Gateway.SyncWorker.Sync;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<GatewayDb>("gateway",
    settings => settings.DisableRetry = true,
    options => options.UseGatewayConventions());
builder.AddRedisClient("redis");

var homeserver = builder.Configuration.GetValue<Uri>("Matrix:HomeserverUrl")
    ?? throw new InvalidOperationException("Matrix:HomeserverUrl is not set.");
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is experimental, but the documented opt-out
builder.Services.AddHttpClient<MatrixSyncClient>(http =>
    {
        http.BaseAddress = homeserver;
        http.Timeout = MatrixSyncClient.LongPoll + TimeSpan.FromSeconds(30);
    })
    // The standard handler's 10 s attempt timeout would cut every 30 s long-poll; sync loops retry on their own.
    .RemoveAllResilienceHandlers();
builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section);
builder.Services.AddHttpClient(WebhookSender.HttpClientName)
    .ConfigurePrimaryHttpMessageHandler(services => WebhookSender.CreateHandler(services.GetRequiredService<IOptions<WebhookOptions>>().Value))
    // Retries belong to the outbox (back-off over 24 h, in order per room), not to a handler that repeats a POST at once.
    .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
builder.Services.AddOptions<BridgeOptions>().BindConfiguration(BridgeOptions.Section);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSecretBox(builder.Configuration);
builder.Services.AddScoped<SyncBatchHandler>();
builder.Services.AddScoped<BotMessages>();
builder.Services.AddHostedService<SyncSupervisor>();
builder.Services.AddSingleton<PortalReceivers>();
builder.Services.AddScoped<IncomingMedia>();
builder.Services.AddScoped<IncomingMessages>();
builder.Services.AddScoped<TimelineGaps>();
builder.Services.AddScoped<WebhookOutbox>();
builder.Services.AddScoped<WebhookDeliveryQueue>();
builder.Services.AddSingleton<RetrySchedule>();
builder.Services.AddSingleton<WebhookSender>();
builder.Services.AddHostedService<WebhookDeliveryLoop>();
builder.Services.AddHostedService<SettledDeliveryCleanup>();

var app = builder.Build();
// The worker has no public API: only the health endpoints Aspire and operators probe.
app.MapDefaultEndpoints();
app.Run();
