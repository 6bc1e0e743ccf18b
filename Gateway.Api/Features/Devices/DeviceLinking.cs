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
/// number), and issues one-time tickets that open the link's WebSocket: one for the API client, one for the link page.
/// The frames themselves come from the SyncWorker through Redis.
/// </summary>
public sealed class DeviceLinking(MatrixSessions sessions, BridgeCommands commands, IConnectionMultiplexer redis)
{
    public const string TicketPrefix = "lt_";

    public sealed record Ticket(int IdentityId, string Platform);

    /// <summary>The socket's ticket (for <c>qr_code_url</c>) and the link page's (for <c>link_url</c>).</summary>
    public sealed record Tickets(string Socket, string Page);

    /// <summary>Open: not used yet. Spent: it opened its socket. Unknown: never issued, or its window is over.</summary>
    public enum TicketState { Unknown, Open, Spent }

    // Deletes the ticket and remembers it as spent for the rest of its window, in one step: a page reloaded at that
    // moment sees it either open or spent, never unknown.
    private static readonly LuaScript Spend = LuaScript.Prepare("""
        local ticket = redis.call('GET', @ticket)
        if not ticket then
          return false
        end
        local left = redis.call('PTTL', @ticket)
        redis.call('DEL', @ticket)
        if left > 0 then
          redis.call('SET', @spent, ticket, 'PX', left)
        end
        return ticket
        """);

    /// <summary>Starts a QR login, or a pairing-code login for the phone <paramref name="phoneDigits"/>.</summary>
    public async Task<Tickets> StartAsync(int identityId, BridgePlatform platform, string? phoneDigits, CancellationToken cancellationToken)
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

        var link = JsonSerializer.Serialize(new Ticket(identityId, platform.Key));
        var tickets = new Tickets(Secrets.NewRandom(TicketPrefix), Secrets.NewRandom(TicketPrefix));
        await db.StringSetAsync(TicketKey(tickets.Socket), link, window);
        await db.StringSetAsync(TicketKey(tickets.Page), link, window);
        return tickets;
    }

    /// <summary>Spends a ticket: it opens one socket only.</summary>
    public async Task<Ticket?> RedeemAsync(string ticket)
    {
        var hash = TicketHash(ticket);
        return Parse((RedisValue)await redis.GetDatabase().ScriptEvaluateAsync(Spend, new
        {
            ticket = (RedisKey)RedisNames.LinkTicket(hash),
            spent = (RedisKey)RedisNames.SpentLinkTicket(hash),
        }));
    }

    /// <summary>Reads a ticket without spending it.</summary>
    public async Task<Ticket?> PeekAsync(string ticket) => (await LookUpAsync(ticket)) is (TicketState.Open, var link) ? link : null;

    /// <summary>Whether a ticket is open, spent or unknown, and whose link it opens (also when spent).</summary>
    public async Task<(TicketState State, Ticket? Link)> LookUpAsync(string ticket)
    {
        var db = redis.GetDatabase();
        var hash = TicketHash(ticket);
        if (Parse(await db.StringGetAsync(RedisNames.LinkTicket(hash))) is { } open)
        {
            return (TicketState.Open, open);
        }
        return Parse(await db.StringGetAsync(RedisNames.SpentLinkTicket(hash))) is { } spent ? (TicketState.Spent, spent) : (TicketState.Unknown, null);
    }

    /// <summary>The link's latest frame: its QR code on screen now, or how it ended.</summary>
    public async Task<LinkFrame?> LatestFrameAsync(Ticket link)
    {
        var frame = await redis.GetDatabase().StringGetAsync(RedisNames.LastLinkFrame(link.IdentityId, link.Platform));
        return frame.IsNullOrEmpty ? null : LinkFrame.FromJson(frame.ToString());
    }

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

    private static string TicketKey(string ticket) => RedisNames.LinkTicket(TicketHash(ticket));

    private static string TicketHash(string ticket) => Convert.ToHexStringLower(Secrets.Hash(ticket));
}
