using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Gateway.Api.Bridges;

/// <summary>
/// Finds the portal room of a contact or group: from the room map, else by asking the bridge (<c>start-chat</c> for
/// a contact, <c>join</c> for an invite link, taking the portal the identity already sits in when the bridge names one), joining
/// the portal and remembering it. Resolution happens under the
/// management room's lock with a second look at the room map, so concurrent sends to a new contact resolve it once.
/// </summary>
public sealed class RecipientResolver(GatewayDb db, BridgeCommands commands, MatrixClient matrix, IMemoryCache cache, TimeProvider clock)
{
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

    /// <summary>
    /// A chat by the id the bridge gives it (a webhook payload's <c>chat.id</c>): the portal the SyncWorker recorded for
    /// it, as the bridge made it, with no command to the bridge.
    /// </summary>
    public async Task<Resolution> ChatAsync(MatrixSession session, BridgePlatform platform, string deviceId, BridgeRoomKind kind, string chatId,
        CancellationToken cancellationToken) =>
        await RecordedPortalAsync(session, platform, deviceId, chatId, cancellationToken, kind) is { } roomId
            ? Resolution.Room(roomId)
            : Resolution.Failed(kind == BridgeRoomKind.Group ? $"Unknown group_id: {chatId}" : $"Unknown chat: {chatId}");

    private async Task<Resolution> ResolveAsync(MatrixSession session, BridgePlatform platform, string deviceId, BridgeRoomKind kind,
        string remoteId, string asWritten, CancellationToken cancellationToken)
    {
        if (await FindAsync(session, platform, deviceId, kind, remoteId, cancellationToken) is { } known)
        {
            return Resolution.Room(known);
        }
        await using var bot = await commands.OpenAsync(session, platform, cancellationToken);
        if (await FindAsync(session, platform, deviceId, kind, remoteId, cancellationToken) is { } resolvedMeanwhile)
        {
            return Resolution.Room(resolvedMeanwhile);
        }
        var resolution = kind == BridgeRoomKind.Contact
            ? await bot.StartChatAsync(deviceId, remoteId, cancellationToken)
            : await bot.JoinGroupAsync(deviceId, $"https://{platform.InviteHost}/{remoteId}",
                chatId => RecordedPortalAsync(session, platform, deviceId, chatId, cancellationToken), cancellationToken);
        if (resolution.RoomId is { } roomId)
        {
            await matrix.JoinAsync(session.AccessToken, roomId, cancellationToken); // a no-op when the worker already joined
            await db.AddPortalIfMissingAsync(session.IdentityId, platform.Key, kind, deviceId, remoteId, asWritten, resolution.ContactGhost, roomId,
                clock.GetUtcNow().UtcDateTime, cancellationToken);
        }
        return resolution;
    }

    /// <summary>The portal the SyncWorker recorded for a chat of this device (or of no named receiver), if the identity is in one.</summary>
    private Task<string?> RecordedPortalAsync(MatrixSession session, BridgePlatform platform, string deviceId, string chatId, CancellationToken cancellationToken,
        BridgeRoomKind? kind = null) =>
        db.Portals.AsNoTracking()
            .Where(p => p.IdentityId == session.IdentityId && p.Platform == platform.Key && p.ChatId == chatId && (p.DeviceId == deviceId || p.DeviceId == ""))
            .Where(p => kind == null || p.Kind == kind)
            .OrderByDescending(p => p.DeviceId)
            .Select(p => p.RoomId)
            .FirstOrDefaultAsync(cancellationToken);

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
}
