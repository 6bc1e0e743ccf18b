using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.Shared.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Api.Auth;

public sealed class FailedAttemptOptions
{
    public const string Section = "Auth:FailedAttempts";

    /// <summary>Failed attempts one client id may make from one address in a window.</summary>
    public int PerClientId { get; set; } = 10;
    /// <summary>Failed attempts one client address may make in a window, whatever the client ids.</summary>
    public int PerAddress { get; set; } = 10;
    /// <summary>The fixed window the failures are counted in.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>A Basic-auth attempt: the client id it named (null when the header did not parse) and the address it came from.</summary>
public readonly record struct BasicAttempt(string? ClientId, IPAddress? Address);

/// <summary>
/// docs/api.md#limits: failed Basic-auth attempts are counted per (client id, address) and per address, in fixed windows
/// kept in Redis so that every Api replica sees the same counts. Never per client id alone: a guesser elsewhere must not
/// lock the owner out. Each attempt reserves a place among the attempts being checked before its secret is checked,
/// atomically, and only while failures plus attempts in flight are under the limit, so a burst of concurrent guesses gets
/// no more checks than the limit; a failure then counts in the window, a success takes nothing. Should Redis be
/// unreachable, attempts go on unthrottled: the throttle slows guessing, it must not lock everybody out.
/// </summary>
public sealed class FailedAttemptThrottle(IConnectionMultiplexer redis, IOptions<FailedAttemptOptions> options, ILogger<FailedAttemptThrottle> logger)
{
    // A reservation an attempt never settles (its request was cut off) is let go of after this.
    private static readonly TimeSpan InFlightFor = TimeSpan.FromSeconds(30);

    // Refused when a count has reached its limit: the milliseconds left of its window, or a second when only attempts
    // still being checked fill it (they settle within moments). Else one more attempt in flight per count, and -1.
    private static readonly LuaScript Reserve = LuaScript.Prepare("""
        local failures = { @pair, @address }
        local inFlight = { @pairInFlight, @addressInFlight }
        local limits = { tonumber(@pairLimit), tonumber(@addressLimit) }
        local wait = -1
        for i = 1, 2 do
          local failed = tonumber(redis.call('GET', failures[i]) or '0')
          if failed >= limits[i] then
            local left = redis.call('PTTL', failures[i])
            if left < 0 then
              redis.call('PEXPIRE', failures[i], @windowMs)
              left = tonumber(@windowMs)
            end
            wait = math.max(wait, left)
          elseif failed + tonumber(redis.call('GET', inFlight[i]) or '0') >= limits[i] then
            wait = math.max(wait, 1000)
          end
        end
        if wait >= 0 then
          return wait
        end
        for i = 1, 2 do
          redis.call('INCR', inFlight[i])
          redis.call('PEXPIRE', inFlight[i], @inFlightMs)
        end
        return -1
        """);

    // The attempt was checked: it leaves the attempts in flight, and a failure counts in the window (a new window
    // starting with its first failure).
    private static readonly LuaScript Settle = LuaScript.Prepare("""
        local failures = { @pair, @address }
        local inFlight = { @pairInFlight, @addressInFlight }
        for i = 1, 2 do
          if tonumber(redis.call('GET', inFlight[i]) or '0') > 0 then
            redis.call('DECR', inFlight[i])
          end
          if tonumber(@failed) == 1 and redis.call('INCR', failures[i]) == 1 then
            redis.call('PEXPIRE', failures[i], @windowMs)
          end
        end
        return 0
        """);

    /// <summary>
    /// Reserves <paramref name="attempt"/>'s place among the attempts being checked, to be settled by
    /// <see cref="SettleAsync"/>; or how long it must wait because its client id from its address, or its address, used
    /// up its failures. Null when it may go on.
    /// </summary>
    public async Task<TimeSpan?> RefusedForAsync(BasicAttempt attempt, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            // Asking now would wait for a reconnection, up to the command timeout, on every request.
            logger.LogWarning("Redis is not connected: Basic auth goes on without its failed-attempt throttle");
            return null;
        }
        var limits = options.Value;
        try
        {
            var (pair, address) = Counts(attempt);
            var wait = (long)await redis.GetDatabase().ScriptEvaluateAsync(Reserve, new
            {
                pair, address, pairInFlight = InFlight(pair), addressInFlight = InFlight(address),
                pairLimit = limits.PerClientId,
                addressLimit = limits.PerAddress,
                windowMs = (long)limits.Window.TotalMilliseconds,
                inFlightMs = (long)InFlightFor.TotalMilliseconds,
            });
            return wait < 0 ? null : TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(wait / 1000.0)));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Could not count the failed Basic-auth attempts; this attempt goes on unthrottled");
            return null;
        }
    }

    /// <summary>The attempt was checked: a failure counts against its client id from its address, and its address.</summary>
    public async Task SettleAsync(BasicAttempt attempt, bool failed)
    {
        if (!redis.IsConnected)
        {
            return; // RefusedForAsync reserved nothing
        }
        try
        {
            var (pair, address) = Counts(attempt);
            await redis.GetDatabase().ScriptEvaluateAsync(Settle, new
            {
                pair, address, pairInFlight = InFlight(pair), addressInFlight = InFlight(address),
                failed = failed ? 1 : 0,
                windowMs = (long)options.Value.Window.TotalMilliseconds,
            });
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Could not count a Basic-auth attempt's outcome (failed: {Failed})", failed);
        }
    }

    /// <summary>
    /// The failure counts of the attempt's client id from its address, and of its address. The client id is whatever the
    /// caller sent, of any length: it is counted by its hash. A header that did not parse names no client id, and is
    /// counted against the address (and a pair of its own per address).
    /// </summary>
    private static (RedisKey Pair, RedisKey Address) Counts(BasicAttempt attempt)
    {
        var clientId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(attempt.ClientId ?? "")));
        var address = attempt.Address is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : "unknown";
        return (RedisNames.FailedAuthOfClient(clientId, address), RedisNames.FailedAuthFromAddress(address));
    }

    private static RedisKey InFlight(RedisKey count) => count.Append(":in-flight");
}
