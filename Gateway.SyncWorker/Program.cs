using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Gateway.SyncWorker.Bridges;
using Gateway.SyncWorker.Delivery;
using Gateway.SyncWorker.Incoming;
using Gateway.SyncWorker.Matrix;
using Gateway.SyncWorker.Sync;

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
#pragma warning restore EXTEXP0001
builder.Services.AddOptions<BridgeOptions>().BindConfiguration(BridgeOptions.Section);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSecretBox(builder.Configuration);
builder.Services.AddScoped<SyncBatchHandler>();
builder.Services.AddScoped<BotMessages>();
builder.Services.AddHostedService<SyncSupervisor>();
builder.Services.AddIncomingMessages();
builder.AddWebhookDelivery();

var app = builder.Build();
// The worker has no public API: only the health endpoints Aspire and operators probe.
app.MapDefaultEndpoints();
app.Run();
