using Gateway.Shared.Data;
using Gateway.Shared.Redis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Api.Features.Tokens;

public sealed class TokenOptions
{
    public const string Section = "Tokens";

    /// <summary>How long an expired token stays listed (so its owner can see why it stopped working) before it is deleted.</summary>
    public TimeSpan KeepExpiredFor { get; set; } = TimeSpan.FromDays(7);
    /// <summary>How often expired tokens are looked for.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);
    /// <summary>How often revoked identities whose devices a bridge has not yet logged out are tried again.</summary>
    public TimeSpan RetireRetryInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How many tokens one credential may hold (each may own a Matrix user and a sync loop).</summary>
    public int MaxPerCredential { get; set; } = 1000;
}

/// <summary>
/// Deletes tokens that expired longer ago than <see cref="TokenOptions.KeepExpiredFor"/>, exactly as
/// <c>DELETE /tokens/{id}</c> would: their webhooks go with them, and so does the Matrix session no remaining token
/// uses (retired by <see cref="RevokedIdentities"/>). An expired token is refused from the moment it expires; this only
/// clears it away. One replica at a time.
/// </summary>
public sealed class ExpiredTokenCleanup(
    IServiceScopeFactory scopes, IConnectionMultiplexer redis, IOptions<TokenOptions> options, TimeProvider clock,
    ILogger<ExpiredTokenCleanup> logger) : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval, clock);
        do
        {
            try
            {
                await CleanUpAsync(stoppingToken);
            }
            catch (Exception e)
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    return; // stopping: whatever broke, the next start carries on
                }
                logger.LogWarning(e, "Cleaning up expired tokens failed; trying again in {Interval}", options.Value.CleanupInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        var owner = $"{Environment.MachineName}:{Environment.ProcessId}";
        var redisDb = redis.GetDatabase();
        if (!await redisDb.LockTakeAsync(RedisNames.TokenCleanupLock, owner, TimeSpan.FromMinutes(10)))
        {
            return; // another replica is at it
        }
        try
        {
            await DeleteExpiredAsync(cancellationToken);
        }
        finally
        {
            await redisDb.LockReleaseAsync(RedisNames.TokenCleanupLock, owner);
        }
    }

    private async Task DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
        var revocation = scope.ServiceProvider.GetRequiredService<TokenRevocation>();
        var cutoff = clock.GetUtcNow().UtcDateTime - options.Value.KeepExpiredFor;
        List<ApiToken> expired;
        do
        {
            expired = await db.Tokens.Where(t => t.ExpiresAt < cutoff).OrderBy(t => t.Id).Take(Batch).ToListAsync(cancellationToken);
            if (expired.Count > 0)
            {
                await revocation.DeleteTokensAsync(expired, cancellationToken);
                logger.LogInformation("{Count} tokens deleted: expired more than {Days} days ago", expired.Count, options.Value.KeepExpiredFor.TotalDays);
            }
        }
        while (expired.Count == Batch);
    }
}
