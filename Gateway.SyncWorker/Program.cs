using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Gateway.SyncWorker;
using Gateway.SyncWorker.Delivery;
using Gateway.SyncWorker.Incoming;
using Gateway.SyncWorker.Sync;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<GatewayDb>("gateway",
    settings => settings.DisableRetry = true,
    options => options.UseGatewayConventions());
// Redis may start after us (services start in any order in a deployment): connect in the background and keep trying.
builder.AddRedisClient("redis", configureOptions: redis => redis.AbortOnConnectFail = false);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<WorkerTelemetry>();
builder.Services.AddSecretBox(builder.Configuration);

// Twice a sync lease: a replica that merely missed a renewal (a slow database) keeps what it holds.
builder.Services.AddSingleton(services => new WorkerPresence(WorkerPresence.NewName(),
    2 * services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SyncOptions>>().Value.LeaseDuration));
builder.AddSyncLoops();
builder.AddIncomingMessages();
builder.AddWebhookDelivery();

var app = builder.Build();
// The worker has no public API: only the health endpoints Aspire and operators probe.
app.MapDefaultEndpoints();
app.Run();
