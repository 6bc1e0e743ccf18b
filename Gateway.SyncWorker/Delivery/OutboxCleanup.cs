using Gateway.Shared.Webhooks;
using Microsoft.Extensions.Options;

namespace Gateway.SyncWorker.Delivery;

/// <summary>
/// Every <see cref="WebhookOptions.TidyInterval"/>: gives up deliveries that waited past the retry window or whose token
/// expired or lost its credential (deactivated), and removes settled ones past <see cref="WebhookOptions.KeepSettledFor"/>, and payloads no delivery needs
/// any more, so the outbox does not grow forever.
/// </summary>
public sealed class OutboxCleanup(
    IServiceScopeFactory scopes, IOptions<WebhookOptions> options, TimeProvider clock, ILogger<OutboxCleanup> logger)
    : BackgroundService
{
    private const int PruneBatch = 2000;
    private const int PruneRounds = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.TidyInterval, clock);
        do
        {
            try
            {
                await TidyAsync(settings, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Tidying webhook deliveries failed; trying again in {Seconds} s", settings.TidyInterval.TotalSeconds);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task TidyAsync(WebhookOptions settings, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var queue = scope.ServiceProvider.GetRequiredService<WebhookDeliveryQueue>();
        if (await queue.ExpireAsync(stoppingToken) is > 0 and var expired)
        {
            logger.LogWarning("{Count} webhook deliveries given up: not delivered within the retry window", expired);
        }
        if (await queue.GiveUpRevokedAsync(stoppingToken) is > 0 and var revoked)
        {
            logger.LogInformation("{Count} webhook deliveries given up: their token was revoked", revoked);
        }
        var pruned = await InRoundsAsync(batch => queue.PruneAsync(batch, stoppingToken));
        if (pruned > 0)
        {
            logger.LogInformation("{Count} settled webhook deliveries removed after {Days} days", pruned, settings.KeepSettledFor.TotalDays);
        }
        await InRoundsAsync(batch => queue.PrunePayloadsAsync(batch, stoppingToken));
    }

    /// <summary>A few batches per tidy: a long history goes over several tidies, so none keeps the database busy for long.</summary>
    private static async Task<int> InRoundsAsync(Func<int, Task<int>> prune)
    {
        var pruned = 0;
        for (var round = 0; round < PruneRounds; round++)
        {
            var removed = await prune(PruneBatch);
            pruned += removed;
            if (removed < PruneBatch)
            {
                break;
            }
        }
        return pruned;
    }
}
