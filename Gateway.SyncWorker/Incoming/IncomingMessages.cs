using System.Text.Json.Nodes;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Microsoft.EntityFrameworkCore;
using Gateway.SyncWorker.Bridges;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// Finds the incoming messages of a /sync batch (docs/bridge.md#incoming-messages): <c>m.room.message</c> events that a
/// ghost of a configured bridge sent in a portal room of a device this identity owns now, since it was linked to it.
/// Not the bot, not the identity itself, and not the ghost of the device's own number (those are messages the phone's
/// owner sent from the phone). Each becomes the webhook payload users parse; an event the gateway cannot read is
/// skipped, never retried.
/// </summary>
public sealed class IncomingMessages(GatewayDb db, PortalReceivers portals, IncomingMedia media, TimelineGaps gaps, ILogger<IncomingMessages> logger)
{
    /// <param name="since">The batch before this one (null for an identity's first sync), to fill gaps of limited timelines.</param>
    public async Task<List<IncomingMessage>> CollectAsync(MatrixSession identity, BridgeUsers bridgeUsers, JsonObject? joinedRooms,
        IReadOnlySet<string> managementRooms, string? since, CancellationToken cancellationToken)
    {
        var incoming = new List<IncomingMessage>();
        List<BridgeRoom>? roomMap = null;
        var owners = new Dictionary<(string Platform, string DeviceId), (int IdentityId, DateTime LinkedAt)?>();
        foreach (var (roomId, room) in joinedRooms ?? [])
        {
            if (room is null || managementRooms.Contains(roomId))
            {
                continue;
            }
            var fromGhosts = (await gaps.TimelineAsync(identity, roomId, room, since, cancellationToken))
                .Where(IsNewMessage)
                .Select(message => (Message: message, Platform: bridgeUsers.GhostPlatformOf(EventJson.String(message["sender"]))))
                .Where(m => m.Platform is not null)
                .ToList();
            if (fromGhosts.Count == 0)
            {
                continue;
            }
            roomMap ??= await db.BridgeRooms.AsNoTracking()
                .Where(r => r.IdentityId == identity.IdentityId && r.Kind != BridgeRoomKind.Management)
                .ToListAsync(cancellationToken);
            var deviceId = await portals.ReceiverAsync(identity, bridgeUsers, roomId, room, cancellationToken)
                ?? roomMap.FirstOrDefault(r => r.RoomId == roomId)?.DeviceId;
            if (string.IsNullOrEmpty(deviceId))
            {
                logger.LogWarning("Messages in {RoomId} skipped: no m.bridge receiver names the device that owns the room", roomId);
                continue;
            }
            foreach (var (message, platform) in fromGhosts)
            {
                var key = (platform!.Key, deviceId);
                if (!owners.TryGetValue(key, out var owner))
                {
                    var device = await db.Devices.AsNoTracking().Where(d => d.Platform == key.Key && d.DeviceId == deviceId)
                        .Select(d => new { d.IdentityId, d.CreatedAt }).FirstOrDefaultAsync(cancellationToken);
                    owners[key] = owner = device is null ? null : (device.IdentityId, device.CreatedAt);
                }
                if (owner?.IdentityId != identity.IdentityId)
                {
                    // Only the device's owner hears it: a phone that moved away, or was unlinked and its token deleted,
                    // leaves the identity in its rooms (as the bridge does), and it gets nothing from them.
                    logger.LogDebug("Message {EventId} in {RoomId} skipped: device {DeviceId} is not this identity's ({Owner})",
                        message["event_id"], roomId, deviceId, owner is null ? "nobody's" : "another identity's");
                    continue;
                }
                if (EventJson.Long(message["origin_server_ts"]) is { } sentAt
                    && DateTimeOffset.FromUnixTimeMilliseconds(sentAt).UtcDateTime < owner.Value.LinkedAt - LinkClockSlack)
                {
                    // Sent before the phone was linked to this identity: another's then (a portal it joins shows its
                    // history), or the chat's past that the bridge backfilled.
                    logger.LogDebug("Message {EventId} in {RoomId} skipped: sent before device {DeviceId} was linked to this identity", message["event_id"], roomId, deviceId);
                    continue;
                }
                var sender = EventJson.String(message["sender"])!;
                if (sender == platform.GhostUserId(deviceId, identity.Server))
                {
                    continue; // sent from the phone itself
                }
                var content = message["content"]!;
                var type = EventJson.String(content["msgtype"])!;
                var contact = ContactOf(roomMap, platform, deviceId, roomId, sender);
                var payload = new WebhookPayload(
                    Id: EventJson.String(message["event_id"])!,
                    IsContact: contact is not null,
                    Type: type,
                    From: contact is null ? sender : contact.RecipientAsWritten ?? contact.RemoteId,
                    To: identity.UserId,
                    Message: TextOf(content),
                    DeviceId: deviceId,
                    Media: WebhookMedia.None); // downloaded when the message is stored: one file in memory at a time
                incoming.Add(new IncomingMessage(roomId, payload.Id, payload, content));
            }
        }
        return incoming;
    }

    /// <summary>
    /// How much earlier than the link a message may say it was sent and still be new: the bridge stamps a ghost's message
    /// with WhatsApp's time, in whole seconds and from another clock than the homeserver's, which timed the link.
    /// </summary>
    private static readonly TimeSpan LinkClockSlack = TimeSpan.FromSeconds(5);

    /// <summary>The message's webhook body, its file downloaded (see <see cref="IncomingMedia.OfAsync"/>).</summary>
    public async Task<byte[]> PayloadAsync(MatrixSession identity, IncomingMessage message, bool withoutFileOnError, CancellationToken cancellationToken) =>
        (message.Payload with { Media = await media.OfAsync(identity, message.Content, withoutFileOnError, cancellationToken) }).ToUtf8Json();

    /// <summary>
    /// A message worth delivering: not an edit (it repeats a message the receiver has) and not redacted (no content
    /// left), and readable: a string <c>msgtype</c> and <c>body</c> (empty for a file without caption), and for a file
    /// its <c>url</c>. Anything else is skipped with a warning, never retried: it could only fail again.
    /// </summary>
    private bool IsNewMessage(JsonNode message)
    {
        if (EventJson.String(message["type"]) != "m.room.message" || EventJson.String(message["event_id"]) is not { } eventId
            || message["content"] is not JsonObject { Count: > 0 } content
            || EventJson.String(EventJson.At(content, "m.relates_to", "rel_type")) == "m.replace")
        {
            return false;
        }
        var unreadable = EventJson.String(content["msgtype"]) switch
        {
            null => "no string msgtype",
            _ when EventJson.String(content["body"]) is null => "no string body",
            "m.image" or "m.video" or "m.audio" or "m.file" or "m.sticker" when EventJson.String(content["url"]) is null && content["file"] is not JsonObject =>
                "a file without a url",
            _ => null,
        };
        if (unreadable is not null)
        {
            logger.LogWarning("Skipping {EventId} from {Sender}: unreadable content ({Why})", eventId, EventJson.String(message["sender"]), unreadable);
            return false;
        }
        return true;
    }

    /// <summary>
    /// The contact as the API caller wrote it, when this identity has messaged the sender through the gateway: the
    /// room map's contact row for this portal, or (for a group member) the row whose contact has the sender's ghost. The
    /// ghost is the bridge's name for the contact (a LID on WhatsApp), so it is compared, never the phone digits.
    /// </summary>
    private static BridgeRoom? ContactOf(List<BridgeRoom> roomMap, BridgePlatform platform, string deviceId, string roomId, string sender)
    {
        var contacts = roomMap.Where(r => r.Kind == BridgeRoomKind.Contact && r.Platform == platform.Key && r.DeviceId == deviceId).ToList();
        return contacts.FirstOrDefault(r => r.RoomId == roomId)
            ?? contacts.FirstOrDefault(r => r.ContactGhost == sender)
            ?? contacts.FirstOrDefault(r => r.ContactGhost is null && r.RemoteId == platform.GhostRemoteId(sender)); // rows from before ghosts were kept
    }

    /// <summary>A media event's body is its file name unless a separate <c>filename</c> makes the body a caption.</summary>
    private static string TextOf(JsonNode content)
    {
        var body = EventJson.String(content["body"]) ?? "";
        if (content["url"] is null && content["file"] is null)
        {
            return body;
        }
        return EventJson.String(content["filename"]) is { } fileName && fileName != body ? body : "";
    }
}

/// <summary>One incoming message: its payload but for the file, and the event content the file comes from.</summary>
public sealed record IncomingMessage(string RoomId, string EventId, WebhookPayload Payload, JsonNode Content);
