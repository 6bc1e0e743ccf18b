using Gateway.Data;
using Gateway.SyncWorker.Matrix;
using Microsoft.EntityFrameworkCore;

namespace Gateway.SyncWorker.Sync;

/// <summary>
/// One identity's long-poll /sync loop. A batch is handled completely before its <c>next_batch</c> is stored, so
/// a crash replays the batch instead of losing it; failures back off and retry the same batch.
/// </summary>
public sealed class SyncLoop(SyncIdentity identity, MatrixSyncClient matrix, IServiceScopeFactory scopes, ILogger<SyncLoop> logger)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RejectedTokenBackoff = TimeSpan.FromMinutes(5);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var since = await LoadSyncTokenAsync(stoppingToken);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var batch = await matrix.SyncAsync(identity.AccessToken, since, stoppingToken);
                var nextBatch = batch["next_batch"]!.GetValue<string>();
                await using (var scope = scopes.CreateAsyncScope())
                {
                    await scope.ServiceProvider.GetRequiredService<SyncBatchHandler>().HandleAsync(identity, batch, since, nextBatch, stoppingToken);
                }
                since = nextBatch;
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (MatrixRequestException e) when (e.TokenRejected)
            {
                logger.LogError("The homeserver rejects the access token of {UserId}; retrying in {Minutes} min", identity.UserId, RejectedTokenBackoff.TotalMinutes);
                await Task.Delay(RejectedTokenBackoff, stoppingToken);
            }
            catch (Exception e)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, failures)) * (0.5 + Random.Shared.NextDouble() / 2));
                logger.LogWarning(e, "Sync of {UserId} failed ({Failures} in a row); retrying in {Delay} ms", identity.UserId, failures, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, stoppingToken);
            }
        }
    }

    private async Task<string?> LoadSyncTokenAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
        return await db.MatrixIdentities.Where(i => i.Id == identity.Id).Select(i => i.SyncToken).SingleAsync(cancellationToken);
    }
}
