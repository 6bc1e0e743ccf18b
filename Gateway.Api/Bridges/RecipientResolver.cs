using System.Text.RegularExpressions;
using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Gateway.Shared.Redis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Gateway.Api.Bridges;

/// <summary>A recipient as the caller wrote it, and what became of resolving it.</summary>
public sealed record Resolution(string? RoomId, string? Error)
{
    public static Resolution Room(string roomId) => new(roomId, null);
    public static Resolution Failed(string error) => new(null, error);
}

/// <summary>
/// Finds the portal room of a contact or group: from the room map, else by asking the bridge (<c>start-chat</c> for
/// a contact, <c>join</c> for an invite link), joining the portal and remembering it. Resolution happens under the
/// management room's lock with a second look at the room map, so concurrent sends to a new contact resolve it once.
/// </summary>
public sealed partial class RecipientResolver(GatewayDb db, BotConversation bot, MatrixClient matrix, IMemoryCache cache, TimeProvider clock)
{
    [GeneratedRegex(@"https://matrix\.to/#/(?<room>(?:!|%21)[^)\s/?]+)")]
    private static partial Regex RoomLink();

    [GeneratedRegex(@"^Successfully joined group `(?<jid>[^`]+)`")]
    private static partial Regex JoinedGroup();

    public Task<Resolution> ContactAsync(MatrixSession session, BridgePlatform platform, string deviceId, string contact, CancellationToken cancellationToken) =>
        ResolveAsync(session, platform, deviceId, BridgeRoomKind.Contact, MatrixIds.NormalizeContact(contact), contact, cancellationToken);

    public Task<Resolution> GroupAsync(MatrixSession session, BridgePlatform platform, string deviceId, string inviteUrl, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(inviteUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps
            || !string.Equals(url.Host, platform.InviteHost, StringComparison.OrdinalIgnoreCase) || url.AbsolutePath.Trim('/').Length == 0)
        {
            return Task.FromResult(Resolution.Failed($"Invalid group invite link: expected https://{platform.InviteHost}/<code>"));
        }
        return ResolveAsync(session, platform, deviceId, BridgeRoomKind.Group, url.AbsolutePath.Trim('/'), inviteUrl, cancellationToken);
    }

    private async Task<Resolution> ResolveAsync(MatrixSession session, BridgePlatform platform, string deviceId, BridgeRoomKind kind,
        string remoteId, string asWritten, CancellationToken cancellationToken)
    {
        if (await FindAsync(session, platform, deviceId, kind, remoteId, cancellationToken) is { } known)
        {
            return Resolution.Room(known);
        }
        await using (await bot.LockAsync(session, platform, cancellationToken))
        {
            if (await FindAsync(session, platform, deviceId, kind, remoteId, cancellationToken) is { } resolvedMeanwhile)
            {
                return Resolution.Room(resolvedMeanwhile);
            }
            var resolution = kind == BridgeRoomKind.Contact
                ? await StartChatAsync(session, platform, deviceId, remoteId, cancellationToken)
                : await JoinGroupAsync(session, platform, $"https://{platform.InviteHost}/{remoteId}", cancellationToken);
            if (resolution.RoomId is { } roomId)
            {
                await matrix.JoinAsync(session.AccessToken, roomId, cancellationToken); // a no-op when the worker already joined
                await RememberAsync(session, platform, deviceId, kind, remoteId, asWritten, roomId, cancellationToken);
            }
            return resolution;
        }
    }

    private async Task<Resolution> StartChatAsync(MatrixSession session, BridgePlatform platform, string deviceId, string contact, CancellationToken cancellationToken)
    {
        var answer = await bot.AskAsync(session, platform, $"start-chat {deviceId} {contact}", notice => notice.Kind switch
        {
            BotNotice.Answer when notice.Body is { } body && (body.StartsWith("Created chat with") || body.StartsWith("You already have a direct chat"))
                && RoomLink().Matches(body).LastOrDefault() is { } link => Resolution.Room(Uri.UnescapeDataString(link.Groups["room"].Value)),
            BotNotice.Answer when notice.Body is { } body && (body.StartsWith("Failed to resolve identifier") || body.StartsWith("Identifier "))
                => Resolution.Failed(body),
            BotNotice.PortalJoined when notice.RemoteId is { } remote && MatrixIds.NormalizeContact(remote.Split('@')[0]) == contact
                => Resolution.Room(notice.RoomId),
            _ => null,
        }, cancellationToken);
        return answer ?? Resolution.Failed("The bridge did not answer in time");
    }

    private async Task<Resolution> JoinGroupAsync(MatrixSession session, BridgePlatform platform, string inviteUrl, CancellationToken cancellationToken)
    {
        string? groupId = null;
        var answer = await bot.AskAsync(session, platform, $"join {inviteUrl}", notice =>
        {
            if (notice.Kind == BotNotice.Answer && notice.Body is { } body)
            {
                if (JoinedGroup().Match(body) is { Success: true } joined)
                {
                    groupId = joined.Groups["jid"].Value; // the portal invite follows
                    return null;
                }
                return body.StartsWith("Failed") || body.StartsWith("Invalid") ? Resolution.Failed(body) : null;
            }
            return notice.Kind == BotNotice.PortalJoined && groupId is not null && (notice.RemoteId is null || notice.RemoteId == groupId)
                ? Resolution.Room(notice.RoomId)
                : null;
        }, cancellationToken);
        return answer ?? Resolution.Failed("The bridge did not answer in time");
    }

    /// <summary>The room map, with the rooms found kept in memory: a portal stays the portal of its chat.</summary>
    private async Task<string?> FindAsync(MatrixSession session, BridgePlatform platform, string deviceId, BridgeRoomKind kind, string remoteId,
        CancellationToken cancellationToken)
    {
        var key = ("bridge-room", session.IdentityId, platform.Key, kind, deviceId, remoteId);
        if (cache.TryGetValue(key, out string? roomId))
        {
            return roomId;
        }
        roomId = await db.BridgeRooms.AsNoTracking()
            .Where(r => r.IdentityId == session.IdentityId && r.Platform == platform.Key && r.Kind == kind && r.DeviceId == deviceId && r.RemoteId == remoteId)
            .Select(r => r.RoomId)
            .FirstOrDefaultAsync(cancellationToken);
        if (roomId is not null)
        {
            cache.Set(key, roomId, TimeSpan.FromMinutes(5));
        }
        return roomId;
    }

    private async Task RememberAsync(MatrixSession session, BridgePlatform platform, string deviceId, BridgeRoomKind kind, string remoteId,
        string asWritten, string roomId, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO bridge_rooms (identity_id, platform, kind, device_id, remote_id, recipient_as_written, room_id, created_at)
            VALUES ({session.IdentityId}, {platform.Key}, {kind.ToString()}, {deviceId}, {remoteId}, {asWritten}, {roomId}, {clock.GetUtcNow().UtcDateTime})
            ON CONFLICT (identity_id, platform, kind, device_id, remote_id) DO NOTHING
            """, cancellationToken);
}
