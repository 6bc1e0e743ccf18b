using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Gateway.Shared.Redis;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Gateway.Api.Auth;

public sealed class FailedAttemptOptions
{
    public const string Section = "Auth:FailedAttempts";

    /// <summary>Failed attempts one client id may make in a window.</summary>
    public int PerClientId { get; set; } = 10;
    /// <summary>Failed attempts one client address may make in a window.</summary>
    public int PerAddress { get; set; } = 10;
    /// <summary>The fixed window the failures are counted in (whole seconds: the counts in Redis keep time in seconds).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>A Basic-auth attempt: the client id it named (null when the header did not parse) and the address it came from.</summary>
public readonly record struct BasicAttempt(string? ClientId, IPAddress? Address);

/// <summary>
/// docs/api.md#limits: failed Basic-auth attempts are counted per client id and per client address, in fixed windows
/// kept in Redis so that every Api replica sees the same counts. Once either has used its failures, its attempts are
/// refused until the window ends; successes take nothing. Should Redis be unreachable, attempts go on unthrottled: the
/// throttle slows guessing, it must not lock everybody out.
/// </summary>
public sealed class FailedAttemptThrottle : IAsyncDisposable
{
    private readonly IConnectionMultiplexer redis;
    private readonly ILogger<FailedAttemptThrottle> logger;
    // Asked one by one rather than through PartitionedRateLimiter.CreateChained: a chained lease only tells the
    // first limiter's metadata, and the check below needs each one's.
    private readonly PartitionedRateLimiter<BasicAttempt>[] limiters;

    public FailedAttemptThrottle(IConnectionMultiplexer redis, IOptions<FailedAttemptOptions> options, ILogger<FailedAttemptThrottle> logger)
    {
        (this.redis, this.logger) = (redis, logger);
        var limits = options.Value;
        limiters =
        [
            FixedWindows(attempt => attempt.ClientId is { } clientId
                ? RedisNames.FailedAuthOfClient(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientId))))
                : null, limits.PerClientId, limits.Window),
            FixedWindows(attempt => attempt.Address is { } address
                ? RedisNames.FailedAuthFromAddress((address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString())
                : null, limits.PerAddress, limits.Window),
        ];
    }

    /// <summary>How long <paramref name="attempt"/> must wait because its client id or its address used up its failures; null when it may go on.</summary>
    public async Task<TimeSpan?> RefusedForAsync(BasicAttempt attempt, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            // Asking now would wait for a reconnection, up to the command timeout, on every request.
            logger.LogWarning("Redis is not connected: Basic auth goes on without its failed-attempt throttle");
            return null;
        }
        try
        {
            foreach (var limiter in limiters)
            {
                // RedisRateLimiting grants zero permits whatever the count, and its lease tells what is left. (Its
                // synchronous AttemptAcquire always fails: only the async API asks Redis.)
                using var lease = await limiter.AcquireAsync(attempt, permitCount: 0, cancellationToken);
                if (lease.TryGetMetadata(RateLimitMetadataName.Remaining, out var remaining) && remaining <= 0
                    && lease.TryGetMetadata(RateLimitMetadataName.RetryAfter, out var seconds))
                {
                    // The window still counts during its last whole second: it is over one second after RetryAfter.
                    return TimeSpan.FromSeconds(seconds + 1);
                }
            }
            return null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Could not read the failed Basic-auth attempts; this attempt goes on unthrottled");
            return null;
        }
    }

    /// <summary>Counts a failed attempt against its client id and its address.</summary>
    public async Task RecordFailureAsync(BasicAttempt attempt, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return; // RefusedForAsync said so already
        }
        try
        {
            foreach (var limiter in limiters)
            {
                using var _ = await limiter.AcquireAsync(attempt, permitCount: 1, cancellationToken);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Could not count a failed Basic-auth attempt");
        }
    }

    private PartitionedRateLimiter<BasicAttempt> FixedWindows(Func<BasicAttempt, string?> key, int permitLimit, TimeSpan window) =>
        PartitionedRateLimiter.Create<BasicAttempt, string>(attempt => key(attempt) is { } name
            ? RedisRateLimitPartition.GetFixedWindowRateLimiter(name, _ => new RedisFixedWindowRateLimiterOptions
            {
                PermitLimit = permitLimit,
                Window = window,
                ConnectionMultiplexerFactory = () => redis,
            })
            : RateLimitPartition.GetNoLimiter("")); // nothing to count by (no client id in a malformed header)

    public async ValueTask DisposeAsync()
    {
        foreach (var limiter in limiters)
        {
            await limiter.DisposeAsync();
        }
    }
}
