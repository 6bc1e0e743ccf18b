using System.Text.Json;
using Gateway.Api.Bridges;
using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Redis;
using Gateway.Shared.Security;
using StackExchange.Redis;

namespace Gateway.Api.Features.Devices;

/// <summary>
/// Starts a device link: records it as pending, asks the bridge for a QR login (or a pairing-code login for a phone
/// number), and issues the one-time ticket that opens the link's WebSocket. The frames themselves come from the
/// SyncWorker through Redis.
/// </summary>
public sealed class DeviceLinking(MatrixSessions sessions, BridgeCommands commands, IConnectionMultiplexer redis)
{
    public const string TicketPrefix = "lt_";

    public sealed record Ticket(int IdentityId, string Platform);

    /// <summary>Starts a QR login, or a pairing-code login for the phone <paramref name="phoneDigits"/>.</summary>
    public async Task<string> StartAsync(int identityId, BridgePlatform platform, string? phoneDigits, CancellationToken cancellationToken)
    {
        var session = await sessions.ForIdentityAsync(identityId, cancellationToken);
        var window = TimeSpan.FromSeconds(platform.LinkWindowSeconds);
        var db = redis.GetDatabase();
        await using (var bot = await commands.OpenAsync(session, platform, cancellationToken))
        {
            await db.KeyDeleteAsync(RedisNames.LastLinkFrame(identityId, platform.Key)); // frames of an earlier link are stale
            await db.StringSetAsync(RedisNames.PendingLink(identityId, platform.Key), "1", window);
            await (phoneDigits is null ? bot.LoginWithQrAsync(cancellationToken) : bot.LoginWithPhoneAsync(phoneDigits, cancellationToken));
        }

        var ticket = Secrets.NewRandom(TicketPrefix);
        await db.StringSetAsync(TicketKey(ticket), JsonSerializer.Serialize(new Ticket(identityId, platform.Key)), window);
        return ticket;
    }

    /// <summary>Spends a ticket: it opens one socket only.</summary>
    public async Task<Ticket?> RedeemAsync(string ticket) => Parse(await redis.GetDatabase().StringGetDeleteAsync(TicketKey(ticket)));

    /// <summary>Reads a ticket without spending it.</summary>
    public async Task<Ticket?> PeekAsync(string ticket) => Parse(await redis.GetDatabase().StringGetAsync(TicketKey(ticket)));

    private static Ticket? Parse(RedisValue value) => value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<Ticket>(value.ToString());

    /// <summary>The platform of the identity's pending link, for a socket opened with a Matrix token.</summary>
    public async Task<string?> PendingPlatformAsync(int identityId, IEnumerable<string> platforms)
    {
        var db = redis.GetDatabase();
        foreach (var platform in platforms)
        {
            if (await db.KeyExistsAsync(RedisNames.PendingLink(identityId, platform))
                || await db.KeyExistsAsync(RedisNames.LastLinkFrame(identityId, platform)))
            {
                return platform;
            }
        }
        return null;
    }

    private static string TicketKey(string ticket) => RedisNames.LinkTicket(Convert.ToHexStringLower(Secrets.Hash(ticket)));
}
