using Gateway.Shared.Redis;
using StackExchange.Redis;

namespace Gateway.Api.Features.Messages;

public sealed class SendRateLimitOptions
{
    public const string Section = "Messages:RateLimit";

    /// <summary>Off by default: numbers differ in what WhatsApp tolerates, so the operator sets it.</summary>
    public bool Enabled { get; set; }
    /// <summary>Messages a device may send in a burst.</summary>
    public int Burst { get; set; } = 20;
    /// <summary>Messages per minute the bucket refills with.</summary>
    public double PerMinute { get; set; } = 60;
}

/// <summary>
/// A token bucket per device in Redis (shared by every Api replica): each recipient of a send takes one token.
/// Protects numbers from being banned for sending too fast.
/// </summary>
public sealed class SendRateLimiter(IConnectionMultiplexer redis, Microsoft.Extensions.Options.IOptions<SendRateLimitOptions> options, TimeProvider clock)
{
    // Refill by elapsed time, then take `cost` tokens if there are enough; otherwise say how long until there are.
    private const string TakeScript = """
        local tokens = tonumber(redis.call('HGET', KEYS[1], 't') or ARGV[1])
        local stamp = tonumber(redis.call('HGET', KEYS[1], 's') or ARGV[3])
        local rate = tonumber(ARGV[2])
        tokens = math.min(tonumber(ARGV[1]), tokens + (tonumber(ARGV[3]) - stamp) * rate)
        local cost = tonumber(ARGV[4])
        if tokens >= cost then
          redis.call('HSET', KEYS[1], 't', tokens - cost, 's', ARGV[3])
          redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1]) / rate) + 1000)
          return 0
        end
        return math.ceil((cost - tokens) / rate)
        """;

    /// <summary>Zero when the device may send <paramref name="messages"/> now, else how long to wait.</summary>
    public async Task<TimeSpan> TryTakeAsync(int identityId, string platform, string deviceId, int messages)
    {
        var limit = options.Value;
        if (!limit.Enabled)
        {
            return TimeSpan.Zero;
        }
        var perMillisecond = limit.PerMinute / 60_000;
        var waitMs = (long)await redis.GetDatabase().ScriptEvaluateAsync(TakeScript,
            [new RedisKey(RedisNames.SendRate(identityId, platform, deviceId))],
            // A send to more recipients than the burst still goes out once the bucket is full, rather than never.
            [limit.Burst, perMillisecond, clock.GetUtcNow().ToUnixTimeMilliseconds(), Math.Min(messages, limit.Burst)]);
        return TimeSpan.FromMilliseconds(waitMs);
    }
}
