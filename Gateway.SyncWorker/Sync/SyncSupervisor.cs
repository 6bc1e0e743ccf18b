using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Gateway.Shared.Redis;
using Gateway.Shared.Security;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Gateway.SyncWorker.Sync;

/// <summary>
/// Keeps exactly one sync loop running per Matrix identity: all of them at start, new ones as the Api announces
/// them on Redis, and a periodic rescan that catches missed notices and stops loops of identities that went away.
/// </summary>
public sealed class SyncSupervisor(
    IServiceScopeFactory scopes, IConnectionMultiplexer redis, MatrixClient matrix, SecretBox secretBox,
    ILoggerFactory loggers, ILogger<SyncSupervisor> logger) : BackgroundService
{
    private static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(30);
    private readonly Dictionary<int, (CancellationTokenSource Stop, Task Loop)> loops = [];
    private readonly SemaphoreSlim rescanning = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await SubscribeToAnnouncementsAsync(stoppingToken);
        using var timer = new PeriodicTimer(RescanInterval);
        do
        {
            try
            {
                await RescanAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Rescan of identities failed; trying again in {Seconds} s", RescanInterval.TotalSeconds);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var (stop, _) in loops.Values)
        {
            await stop.CancelAsync();
        }
        await Task.WhenAll(loops.Values.Select(l => l.Loop));
    }

    private async Task SubscribeToAnnouncementsAsync(CancellationToken stoppingToken)
    {
        try
        {
            await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisNames.IdentitiesChannel),
                (_, _) => _ = RescanAsync(stoppingToken));
        }
        catch (RedisException e)
        {
            logger.LogWarning(e, "Not subscribed to identity announcements; relying on the periodic rescan");
        }
    }

    private async Task RescanAsync(CancellationToken stoppingToken)
    {
        await rescanning.WaitAsync(stoppingToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
            var identities = await db.MatrixIdentities.AsNoTracking()
                .Select(i => new { i.Id, i.UserId, i.AccessTokenCipher })
                .ToListAsync(stoppingToken);

            foreach (var identity in identities.Where(i => !loops.ContainsKey(i.Id)))
            {
                var session = new MatrixSession(identity.Id, identity.UserId, secretBox.Open(identity.AccessTokenCipher));
                var loop = new SyncLoop(session, matrix, scopes, loggers.CreateLogger<SyncLoop>());
                var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                loops[identity.Id] = (stop, Task.Run(() => loop.RunAsync(stop.Token), CancellationToken.None));
                logger.LogInformation("Sync loop started for {UserId}", identity.UserId);
            }
            var current = identities.Select(i => i.Id).ToHashSet();
            foreach (var gone in loops.Keys.Where(id => !current.Contains(id)).ToList())
            {
                await loops[gone].Stop.CancelAsync();
                loops.Remove(gone);
                logger.LogInformation("Sync loop stopped for identity {IdentityId}", gone);
            }
        }
        finally
        {
            rescanning.Release();
        }
    }
}
