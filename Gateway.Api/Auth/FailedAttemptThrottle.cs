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
/// lock the owner out. Each attempt reserves one failure of each count before its secret is checked, atomically, so a
/// burst of concurrent guesses gets no more evaluations than the limit; a success gives its reservation back. Should
/// Redis be unreachable, attempts go on unthrottled: the throttle slows guessing, it must not lock everybody out.
/// </summary>
public sealed class FailedAttemptThrottle(IConnectionMultiplexer redis, IOptions<FailedAttemptOptions> options, ILogger<FailedAttemptThrottle> logger)
{
    // Refused (the milliseconds left of the fullest window) when any count has reached its limit; else every count is
    // raised by one, a new window starting with its first failure, and -1 is returned.
    private static readonly LuaScript Reserve = LuaScript.Prepare("""
        local keys = { @pair, @address }
        local limits = { tonumber(@pairLimit), tonumber(@addressLimit) }
        local wait = -1
        for i, key in ipairs(keys) do
          if tonumber(redis.call('GET', key) or '0') >= limits[i] then
            local left = redis.call('PTTL', key)
            if left < 0 then
              redis.call('PEXPIRE', key, @windowMs)
              left = tonumber(@windowMs)
            end
            wait = math.max(wait, left)
          end
        end
        if wait >= 0 then
          return wait
        end
        for _, key in ipairs(keys) do
          if redis.call('INCR', key) == 1 then
            redis.call('PEXPIRE', key, @windowMs)
          end
        end
        return -1
        """);

    // A success takes nothing: its reservation goes back to windows still open (an ended one is gone already).
    private static readonly LuaScript GiveBack = LuaScript.Prepare("""
        for _, key in ipairs({ @pair, @address }) do
          if tonumber(redis.call('GET', key) or '0') > 0 then
            redis.call('DECR', key)
          end
        end
        return 0
        """);

    /// <summary>
    /// Reserves a failure of <paramref name="attempt"/>'s counts, to be given back by <see cref="SucceededAsync"/>; or how
    /// long it must wait because its client id from its address, or its address, used up its failures.
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
            var wait = (long)await redis.GetDatabase().ScriptEvaluateAsync(Reserve, new
            {
                pair = (RedisKey)PairKey(attempt),
                address = (RedisKey)AddressKey(attempt),
                pairLimit = limits.PerClientId,
                addressLimit = limits.PerAddress,
                windowMs = (long)limits.Window.TotalMilliseconds,
            });
            return wait < 0 ? null : TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(wait / 1000.0)));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Could not count the failed Basic-auth attempts; this attempt goes on unthrottled");
            return null;
        }
    }

    /// <summary>The attempt was right: it gives back the failure it reserved.</summary>
    public async Task SucceededAsync(BasicAttempt attempt)
    {
        if (!redis.IsConnected)
        {
            return; // RefusedForAsync reserved nothing
        }
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(GiveBack, new { pair = (RedisKey)PairKey(attempt), address = (RedisKey)AddressKey(attempt) });
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Could not give back a successful Basic-auth attempt's reservation; it counts as a failure until its window ends");
        }
    }

    // The client id is whatever the caller sent, of any length: it is counted by its hash. A header that did not parse
    // names no client id, and is counted against the address alone (and a pair of its own per address).
    private static string PairKey(BasicAttempt attempt) => RedisNames.FailedAuthOfClient(
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(attempt.ClientId ?? ""))), AddressOf(attempt));

    private static string AddressKey(BasicAttempt attempt) => RedisNames.FailedAuthFromAddress(AddressOf(attempt));

    private static string AddressOf(BasicAttempt attempt) => attempt.Address is { } address
        ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
        : "unknown";
}
