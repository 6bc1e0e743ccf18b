using Gateway.Shared.Redis;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace Gateway.Api.Auth;

/// <summary>
/// Access decisions a send makes on every request (this token is valid, this device is the caller's), kept in memory
/// for a few seconds so a steady sender costs no query. Only grants are kept, never refusals. Whatever takes access
/// away (a token or credential deleted, a credential deactivated or replaced, a device unlinked) calls <see cref="RevokeAsync"/>:
/// the generation moves on, which voids every entry made before it, here at once and on the other replicas as soon as
/// Redis tells them. Should Redis lose that notice, an entry still lives at most <see cref="KeepFor"/>.
/// </summary>
public sealed class AccessCache(IMemoryCache cache, IConnectionMultiplexer redis, ILogger<AccessCache> logger)
    : IHostedService
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(15);
    private long generation;

    private sealed record Entry(object Value, long Generation);

    /// <summary>Read before looking a grant up, and passed to <see cref="Keep"/>: a revocation in between voids it.</summary>
    public long Generation => Interlocked.Read(ref generation);

    public bool TryGet<T>(string kind, object key, out T value)
    {
        if (cache.TryGetValue((nameof(AccessCache), kind, key), out Entry? entry) && entry!.Generation == Generation)
        {
            value = (T)entry.Value;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>Keeps a grant made at generation <paramref name="lookedUpAt"/> (read before the grant was looked up).</summary>
    public void Keep<T>(string kind, object key, T value, long lookedUpAt) where T : notnull =>
        cache.Set((nameof(AccessCache), kind, key), new Entry(value, lookedUpAt), KeepFor);

    /// <summary>Voids every kept grant, on this replica now and on the others through Redis.</summary>
    public async Task RevokeAsync()
    {
        Interlocked.Increment(ref generation);
        try
        {
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisNames.AccessRevokedChannel), "");
        }
        catch (Exception e) when (e is RedisException or TimeoutException) // the change is committed: never fail it here
        {
            logger.LogWarning(e, "Could not tell other replicas of a revocation; their kept grants run out within {Seconds} s", KeepFor.TotalSeconds);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisNames.AccessRevokedChannel),
                (_, _) => Interlocked.Increment(ref generation));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Not subscribed to revocations; kept grants run out within {Seconds} s", KeepFor.TotalSeconds);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
