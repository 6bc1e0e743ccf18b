using Gateway.Shared.Matrix;
using Gateway.Shared.Redis;
using Gateway.Shared.Security;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.SyncWorker.Sync;

/// <summary>
/// Runs this replica's share of the identities' sync loops, each under a lease (<see cref="SyncLeases"/>). Every renewal
/// it extends its leases, stops loops whose lease was lost or lapsed, and evens out the share: ceil(identities / live
/// replicas), giving back what is over it and taking free identities up to it. A new identity announced by the Api, or
/// identities handed back by a replica that stops, are taken at once (announcements that come together, together); a
/// dead replica's within a lease and a renewal.
/// </summary>
public sealed class SyncSupervisor(
    IServiceScopeFactory scopes, IConnectionMultiplexer redis, MatrixClient matrix, SecretBox secretBox, TimeProvider clock,
    IOptions<SyncOptions> options, WorkerPresence presence, WorkerTelemetry telemetry, ILoggerFactory loggers, ILogger<SyncSupervisor> logger)
    : BackgroundService
{
    private sealed record RunningLoop(SyncLease Lease, CancellationTokenSource Stop, Task Task);

    private readonly string name = presence.Name;
    private readonly Dictionary<int, RunningLoop> loops = [];
    private readonly SemaphoreSlim balancing = new(1, 1);
    // Set by announcements, taken by the loop below: however many arrive, one rebalance follows.
    private readonly Channel<bool> announced = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private SyncOptions Settings => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await SubscribeToAnnouncementsAsync();
        while (!stoppingToken.IsCancellationRequested)
        {
            var renewalDue = clock.GetTimestamp() + (long)(Settings.LeaseRenewal.TotalSeconds * clock.TimestampFrequency);
            await BalanceAsync(stoppingToken);
            await WaitForRenewalOrAnnouncementAsync(renewalDue, stoppingToken);
        }
    }

    private async Task WaitForRenewalOrAnnouncementAsync(long renewalDue, CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        wait.CancelAfter(TimeSpan.FromSeconds(Math.Max(0, (renewalDue - clock.GetTimestamp()) / (double)clock.TimestampFrequency)));
        try
        {
            await announced.Reader.WaitToReadAsync(wait.Token);
            await Task.Delay(Settings.AnnouncementDelay, clock, wait.Token); // let the announcements that come together arrive
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // the renewal is due
        }
        announced.Reader.TryRead(out _);
    }

    /// <summary>A graceful stop hands every identity back at once, after its loop has stopped.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await balancing.WaitAsync(cancellationToken);
        try
        {
            var handedBack = loops.Keys.ToArray();
            await StopLoopsAsync(handedBack);
            await using var scope = scopes.CreateAsyncScope();
            var leases = scope.ServiceProvider.GetRequiredService<SyncLeases>();
            await leases.ReleaseAsync(name, handedBack, cancellationToken);
            await leases.LeaveAsync(name, cancellationToken);
            await AnnounceAsync();
            logger.LogInformation("Handed back {Count} identities", handedBack.Length);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not hand back the identities; they are taken over when their leases expire");
        }
        finally
        {
            balancing.Release();
        }
    }

    private async Task SubscribeToAnnouncementsAsync()
    {
        try
        {
            await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisNames.IdentitiesChannel),
                (_, _) => announced.Writer.TryWrite(true));
        }
        catch (RedisException e)
        {
            logger.LogWarning(e, "Not subscribed to identity announcements; relying on the periodic renewal");
        }
    }

    private async Task BalanceAsync(CancellationToken stoppingToken)
    {
        try
        {
            await balancing.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            // Before asking the database, which may not answer: a loop whose lease may have lapsed stops now.
            await StopLoopsAsync([.. loops.Where(l => !l.Value.Lease.IsHeld || l.Value.Task.IsCompleted).Select(l => l.Key)]);

            await using var scope = scopes.CreateAsyncScope();
            var leases = scope.ServiceProvider.GetRequiredService<SyncLeases>();
            var sentAt = clock.GetTimestamp();
            var renewal = await leases.RenewAsync(name, Settings.LeaseDuration, stoppingToken);
            var held = renewal.Held.ToHashSet();
            foreach (var (id, loop) in loops)
            {
                if (held.Contains(id))
                {
                    loop.Lease.Renewed(sentAt, Settings.LeaseDuration);
                }
            }
            var lost = loops.Keys.Where(id => !held.Contains(id)).ToArray();
            if (lost.Length > 0)
            {
                logger.LogWarning("Lost the sync leases of {Count} identities (taken over or deleted); their loops stop", lost.Length);
                await StopLoopsAsync(lost);
            }

            var share = (int)Math.Ceiling(renewal.Identities / (double)Math.Max(1, renewal.Workers));
            if (loops.Count > share)
            {
                var surplus = loops.Keys.Order().Skip(share).ToArray();
                await StopLoopsAsync(surplus);
                await leases.ReleaseAsync(name, surplus, stoppingToken);
                await AnnounceAsync();
                logger.LogInformation("Handed back {Count} identities to {Workers} replicas' share of {Share}", surplus.Length, renewal.Workers, share);
            }
            else if (loops.Count < share)
            {
                sentAt = clock.GetTimestamp();
                var acquired = await leases.AcquireAsync(name, share - loops.Count, [.. loops.Keys], Settings.LeaseDuration, stoppingToken);
                foreach (var taken in acquired)
                {
                    var lease = new SyncLease(taken.Id, name, taken.Fence, clock);
                    lease.Renewed(sentAt, Settings.LeaseDuration);
                    Start(lease, new MatrixSession(taken.Id, taken.UserId, secretBox.Open(taken.AccessTokenCipher)), stoppingToken);
                }
                telemetry.TookOver(acquired.Count(t => t.TakenOver));
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Renewing and balancing sync leases failed; trying again in {Seconds} s", Settings.LeaseRenewal.TotalSeconds);
        }
        finally
        {
            telemetry.LoopsHeld(loops.Count);
            balancing.Release();
        }
    }

    private void Start(SyncLease lease, MatrixSession session, CancellationToken stoppingToken)
    {
        var loop = new SyncLoop(session, lease, matrix, scopes, loggers.CreateLogger<SyncLoop>());
        var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        loops[lease.IdentityId] = new RunningLoop(lease, stop, Task.Run(() => loop.RunAsync(stop.Token), CancellationToken.None));
        logger.LogInformation("Sync loop started for {UserId} (fence {Fence})", session.UserId, lease.Fence);
    }

    /// <summary>Stops loops and waits for them to end, so a loop is never started while its predecessor still runs.</summary>
    private async Task StopLoopsAsync(int[] identityIds)
    {
        var stopping = identityIds.Select(id => loops[id]).ToList();
        foreach (var loop in stopping)
        {
            await loop.Stop.CancelAsync();
        }
        // A loop cancelled in its backoff ends cancelled rather than returning: either way it has ended.
        var ended = Task.WhenAll(stopping.Select(l => l.Task));
        await ended.WaitAsync(Settings.LoopStopTimeout, clock).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!ended.IsCompleted)
        {
            logger.LogWarning("{Count} sync loops did not stop within {Seconds} s; left behind, fenced out of writing",
                stopping.Count(l => !l.Task.IsCompleted), Settings.LoopStopTimeout.TotalSeconds);
        }
        foreach (var id in identityIds)
        {
            if (loops[id].Task.IsCompleted)
            {
                loops[id].Stop.Dispose(); // a loop left behind may still read its token
            }
            loops.Remove(id);
            logger.LogInformation("Sync loop stopped for identity {IdentityId}", id);
        }
    }

    private async Task AnnounceAsync()
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisNames.IdentitiesChannel), "released");
        }
        catch (RedisException e)
        {
            logger.LogDebug(e, "Could not announce handed-back identities; the other replicas take them at their next renewal");
        }
    }
}
