using Gateway.Shared.Data;
using Gateway.Shared.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.SyncWorker.Delivery;

/// <summary>
/// Reads the outbox's backlog for <see cref="WorkerTelemetry"/> every <see cref="WebhookOptions.BacklogSampleInterval"/>:
/// one small query, not one per export of the gauges (their callbacks run on the exporter's thread and must not wait
/// on the database). Every replica reports the same backlog: it is the outbox's, not the replica's.
/// </summary>
public sealed class OutboxBacklogSampler(IServiceScopeFactory scopes, WorkerTelemetry telemetry, IOptions<WebhookOptions> options, TimeProvider clock,
    ILogger<OutboxBacklogSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.BacklogSampleInterval, clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
                var pending = await db.WebhookDeliveries.Where(d => d.Status == DeliveryStatus.Pending)
                    .GroupBy(_ => 1)
                    .Select(g => new { Count = g.LongCount(), Oldest = g.Min(d => d.CreatedAt) })
                    .FirstOrDefaultAsync(stoppingToken);
                telemetry.Sampled(pending is null ? new OutboxBacklog(0, TimeSpan.Zero)
                    : new OutboxBacklog(pending.Count, clock.GetUtcNow().UtcDateTime - pending.Oldest));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug(e, "Could not sample the outbox's backlog");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
