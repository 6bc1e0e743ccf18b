using Gateway.Shared.Redis;
using StackExchange.Redis;

namespace Gateway.Api.Features.Tokens;

/// <summary>
/// Tells the SyncWorker that Matrix identities appeared or went away, so it starts or stops their sync loops now
/// rather than at its next rescan (which still catches a notice lost while Redis was down).
/// </summary>
public sealed class IdentityAnnouncements(IConnectionMultiplexer redis, ILogger<IdentityAnnouncements> logger)
{
    public async Task AnnounceChangeAsync()
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisNames.IdentitiesChannel), "changed");
        }
        catch (RedisException e)
        {
            logger.LogWarning(e, "Could not announce an identity change; the worker's rescan will catch it");
        }
    }
}
