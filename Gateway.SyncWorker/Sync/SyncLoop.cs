using System.Diagnostics;
using System.Text.Json.Nodes;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Microsoft.EntityFrameworkCore;

namespace Gateway.SyncWorker.Sync;

/// <summary>
/// One identity's long-poll /sync loop. A batch is handled completely before its <c>next_batch</c> is stored, so
/// a crash replays the batch instead of losing it (an empty batch's is stored only now and then: replaying it finds
/// nothing); failures back off and retry the same batch. It runs only while its
/// <see cref="SyncLease"/> is held: once the lease is lost it stops without writing.
/// </summary>
public sealed class SyncLoop(MatrixSession identity, SyncLease lease, MatrixClient matrix, IServiceScopeFactory scopes, ILogger<SyncLoop> logger)
{
    /// <summary>How long one /sync waits for something to happen before answering empty.</summary>
    public static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Only what the worker acts on: messages, stickers, reactions, redactions, the bridge's send statuses, memberships,
    /// bridge state and read receipts; no presence, typing or account data.
    /// </summary>
    private const string Filter = """
        {"presence":{"types":[]},"account_data":{"types":[]},
         "room":{"ephemeral":{"types":["m.receipt"]},"account_data":{"types":[]},
                 "state":{"types":["m.bridge","m.room.member"],"lazy_load_members":true},
                 "timeline":{"types":["m.room.message","m.sticker","m.reaction","m.room.redaction","com.beeper.message_send_status",
                                      "m.room.member","m.bridge"],"limit":100}}}
        """;

    /// <summary>How often an idle identity stores its token all the same (see <see cref="SyncBatchHandler.IsEmpty"/>).</summary>
    private static readonly TimeSpan IdleTokenInterval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RejectedTokenBackoff = TimeSpan.FromMinutes(5);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var since = await LoadSyncTokenAsync(stoppingToken);
        var failures = 0;
        var tokenStoredAt = Stopwatch.GetTimestamp();
        Ahead? ahead = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var batch = await (ahead?.Batch ?? matrix.SyncAsync(identity.AccessToken, since, Filter, LongPoll, stoppingToken));
                ahead?.Dispose();
                ahead = null;
                var nextBatch = batch["next_batch"]!.GetValue<string>();
                // Long-poll for what follows while this batch is handled, so a message that arrives meanwhile waits for
                // the handling only, not for a new request after it. The batch is still stored before the next is read.
                ahead = Ahead.Start(matrix, identity.AccessToken, nextBatch, stoppingToken);
                // An idle identity's empty answer costs nothing but the request: no scope, no write (now and then
                // its token is stored all the same, so that a restart does not start from far back).
                if (!SyncBatchHandler.IsEmpty(batch) || Stopwatch.GetElapsedTime(tokenStoredAt) >= IdleTokenInterval)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<SyncBatchHandler>().HandleAsync(identity, lease, batch, since, nextBatch, stoppingToken);
                    tokenStoredAt = Stopwatch.GetTimestamp();
                }
                since = nextBatch;
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (SyncLeaseLostException)
            {
                logger.LogWarning("Sync of {UserId} stops: this replica no longer holds its lease", identity.UserId);
                break;
            }
            catch (Exception e)
            {
                ahead?.Abandon(); // it follows a batch that may not be stored: ask again from the stored token
                ahead = null;
                if (e is MatrixException { TokenRejected: true })
                {
                    logger.LogError("The homeserver rejects the access token of {UserId}; retrying in {Minutes} min", identity.UserId, RejectedTokenBackoff.TotalMinutes);
                    await Task.Delay(RejectedTokenBackoff, stoppingToken);
                    continue;
                }
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, failures)) * (0.5 + Random.Shared.NextDouble() / 2));
                logger.LogWarning(e, "Sync of {UserId} failed ({Failures} in a row); retrying in {Delay} ms", identity.UserId, failures, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, stoppingToken);
            }
        }
        ahead?.Abandon();
    }

    /// <summary>A /sync request sent ahead of need, cancellable on its own when its batch is not wanted after all.</summary>
    private sealed class Ahead : IDisposable
    {
        private readonly CancellationTokenSource cancel;

        private Ahead(CancellationTokenSource cancel, Task<JsonObject> batch) => (this.cancel, Batch) = (cancel, batch);

        public Task<JsonObject> Batch { get; }

        public static Ahead Start(MatrixClient matrix, string accessToken, string since, CancellationToken stoppingToken)
        {
            var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            return new Ahead(cancel, matrix.SyncAsync(accessToken, since, Filter, LongPoll, cancel.Token));
        }

        public void Abandon()
        {
            cancel.Cancel();
            Batch.ContinueWith(t => _ = t.Exception, TaskScheduler.Default); // observed: its failure is expected
            Dispose();
        }

        public void Dispose() => cancel.Dispose();
    }

    private async Task<string?> LoadSyncTokenAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
        return await db.MatrixIdentities.Where(i => i.Id == identity.IdentityId).Select(i => i.SyncToken).SingleAsync(cancellationToken);
    }
}
