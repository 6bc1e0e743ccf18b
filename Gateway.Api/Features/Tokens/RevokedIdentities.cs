using Gateway.Shared.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Api.Features.Tokens;

/// <summary>
/// Retires the identities no token uses (<see cref="TokenRevocation.RetireOrphanIdentitiesAsync"/>): at once when a
/// revocation wakes it, and again every <see cref="TokenOptions.RetireRetryInterval"/> while a bridge has yet to confirm a
/// logout, however long that takes (also after a restart: what is owed is in Postgres). One replica at a time.
/// </summary>
public sealed class RevokedIdentities(
    IServiceScopeFactory scopes, IConnectionMultiplexer redis, IOptions<TokenOptions> options, ILogger<RevokedIdentities> logger) : BackgroundService
{
    // Longer than one identity's retirement can take (a few answer timeouts per device).
    private static readonly TimeSpan LockFor = TimeSpan.FromMinutes(10);
    private readonly SemaphoreSlim wake = new(0, 1);

    /// <summary>Tokens were revoked: their identities are retired now rather than at the next round.</summary>
    public void Wake()
    {
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // woken already
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RetireAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Retiring revoked identities failed; trying again in {Interval}", options.Value.RetireRetryInterval);
            }
            try
            {
                await wake.WaitAsync(options.Value.RetireRetryInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return; // stopping: what is owed is in Postgres for the next start
            }
        }
    }

    private async Task RetireAsync(CancellationToken cancellationToken)
    {
        var owner = $"{Environment.MachineName}:{Environment.ProcessId}";
        var redisDb = redis.GetDatabase();
        if (!await redisDb.LockTakeAsync(RedisNames.IdentityRetirementLock, owner, LockFor))
        {
            return; // another replica is at it
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            // Each identity may wait on its bridge for a while: the lock is held on for each, or the round ends.
            var revocation = scope.ServiceProvider.GetRequiredService<TokenRevocation>();
            if (await revocation.RetireOrphanIdentitiesAsync(() => redisDb.LockExtendAsync(RedisNames.IdentityRetirementLock, owner, LockFor), cancellationToken)
                is > 0 and var waiting)
            {
                logger.LogWarning("{Count} revoked identities keep devices their bridge has not yet logged out; trying again in {Interval}",
                    waiting, options.Value.RetireRetryInterval);
            }
        }
        finally
        {
            await redisDb.LockReleaseAsync(RedisNames.IdentityRetirementLock, owner);
        }
    }
}
