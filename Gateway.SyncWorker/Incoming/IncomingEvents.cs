using System.Text.Json.Nodes;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Gateway.SyncWorker.Bridges;
using Microsoft.EntityFrameworkCore;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// Reads the events of a /sync batch's portal rooms (docs/bridge.md#incoming-messages): each room's timeline (with the
/// gaps of a limited one filled) and then its receipts go, in order, through the <see cref="IIncomingReader"/>s, and
/// what they make is what the webhooks hear. Only in a portal of a device this identity owns now, and only what
/// happened since the device was linked to it: a phone that moved away, or was unlinked and its token deleted, leaves
/// the identity in its rooms (as the bridge does), and it hears nothing more from them.
/// </summary>
public sealed class IncomingEvents(GatewayDb db, PortalStates portals, TimelineGaps gaps, IEnumerable<IIncomingReader> readers, WorkerTelemetry telemetry,
    ILogger<IncomingEvents> logger)
{
    /// <summary>
    /// How much earlier than the link an event may say it happened and still be new: the bridge stamps a ghost's event
    /// with WhatsApp's time, in whole seconds and from another clock than the homeserver's, which timed the link.
    /// </summary>
    private static readonly TimeSpan LinkClockSlack = TimeSpan.FromSeconds(5);

    /// <param name="since">The batch before this one (null for an identity's first sync), to fill gaps of limited timelines.</param>
    public async Task<List<IncomingEvent>> CollectAsync(MatrixSession identity, BridgeUsers bridgeUsers, JsonObject? joinedRooms,
        IReadOnlySet<string> managementRooms, string? since, CancellationToken cancellationToken)
    {
        var incoming = new List<IncomingEvent>();
        List<BridgeRoom>? roomMap = null;
        foreach (var (roomId, room) in joinedRooms ?? [])
        {
            if (room is null || managementRooms.Contains(roomId))
            {
                continue;
            }
            var timeline = await gaps.TimelineAsync(identity, roomId, room, since, cancellationToken);
            var receipts = (room["ephemeral"]?["events"] as JsonArray ?? []).OfType<JsonNode>().Where(e => EventJson.String(e["type"]) == "m.receipt").ToList();
            var events = timeline.Where(e => EventJson.String(e["type"]) is not ("m.room.member" or "m.bridge")).Concat(receipts).ToList();
            if (events.Count == 0)
            {
                continue;
            }
            roomMap ??= await db.BridgeRooms.AsNoTracking()
                .Where(r => r.IdentityId == identity.IdentityId && r.Kind != BridgeRoomKind.Management)
                .ToListAsync(cancellationToken);
            if (await PortalAsync(identity, bridgeUsers, roomId, room, events, roomMap, cancellationToken) is not { } portal)
            {
                continue;
            }
            foreach (var matrixEvent in events)
            {
                var at = EventJson.Long(matrixEvent["origin_server_ts"]) is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
                if (at?.UtcDateTime < portal.LinkedAt - LinkClockSlack)
                {
                    // Before the phone was linked to this identity: another's then (a portal it joins shows its history),
                    // or the chat's past that the bridge backfilled.
                    continue;
                }
                foreach (var reader in readers)
                {
                    if (await reader.ReadAsync(portal.Chat, matrixEvent, cancellationToken) is { } read)
                    {
                        incoming.AddRange(read);
                        if (read.Count > 0 && at is { } happenedAt)
                        {
                            telemetry.Read(happenedAt);
                        }
                        break;
                    }
                }
            }
        }
        return incoming;
    }

    /// <summary>The room as a chat of a device this identity owns now, or null (with why in the log).</summary>
    private async Task<(PortalChat Chat, DateTime LinkedAt)?> PortalAsync(MatrixSession identity, BridgeUsers bridgeUsers, string roomId, JsonNode room,
        List<JsonNode> events, List<BridgeRoom> roomMap, CancellationToken cancellationToken)
    {
        var platform = events.Select(e => bridgeUsers.PlatformOf(EventJson.String(e["sender"]))).FirstOrDefault(p => p is not null)
            ?? ReceiptPlatform(bridgeUsers, events);
        if (platform is null)
        {
            return null; // nothing here from a bridge: the identity's own messages alone tell nothing yet
        }
        var state = await portals.StateAsync(identity, bridgeUsers, roomId, room, cancellationToken);
        var mapped = roomMap.FirstOrDefault(r => r.RoomId == roomId);
        var deviceId = state?.Receiver ?? mapped?.DeviceId;
        if (string.IsNullOrEmpty(deviceId))
        {
            logger.LogWarning("Events in {RoomId} skipped: no m.bridge receiver names the device that owns the room", roomId);
            return null;
        }
        var owner = await db.Devices.AsNoTracking().Where(d => d.Platform == platform.Key && d.DeviceId == deviceId)
            .Select(d => new { d.IdentityId, d.CreatedAt }).FirstOrDefaultAsync(cancellationToken);
        if (owner?.IdentityId != identity.IdentityId)
        {
            logger.LogDebug("Events in {RoomId} skipped: device {DeviceId} is not this identity's ({Owner})", roomId, deviceId,
                owner is null ? "nobody's" : "another identity's");
            return null;
        }
        var isDirect = state?.IsDirect ?? mapped?.Kind == BridgeRoomKind.Contact;
        var chat = new WebhookChat(isDirect ? "contact" : "group", state?.ChatId is { Length: > 0 } chatId ? chatId : mapped?.RemoteId ?? roomId, state?.Name ?? "");
        return (new PortalChat(identity, platform, roomId, deviceId, chat, roomMap), owner.CreatedAt);
    }

    /// <summary>A batch with only receipts in a room: the platform of the ghost that sent one.</summary>
    private static BridgePlatform? ReceiptPlatform(BridgeUsers bridgeUsers, List<JsonNode> events) =>
        events.Where(e => EventJson.String(e["type"]) == "m.receipt")
            .SelectMany(e => e["content"] as JsonObject ?? [])
            .SelectMany(r => r.Value?["m.read"] as JsonObject ?? [])
            .Select(reader => bridgeUsers.GhostPlatformOf(reader.Key))
            .FirstOrDefault(p => p is not null);
}
