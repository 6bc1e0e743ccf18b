using System.Text.Json.Nodes;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// Finds the incoming messages of a /sync batch (docs/bridge.md#incoming-messages): <c>m.room.message</c> events that a ghost of a configured
/// bridge sent in a portal room. Not the bot, not the identity itself, and not the ghost of the device's own number
/// (those are messages the phone's owner sent from the phone). Each becomes the webhook payload users parse.
/// </summary>
public sealed class IncomingMessages(
    GatewayDb db, PortalReceivers portals, IncomingMedia media, TimelineGaps gaps, IOptions<BridgeOptions> bridges,
    ILogger<IncomingMessages> logger)
{
    /// <param name="since">The batch before this one (null for an identity's first sync), to fill gaps of limited timelines.</param>
    public async Task<List<IncomingMessage>> CollectAsync(MatrixSession identity, JsonObject? joinedRooms, IReadOnlySet<string> managementRooms,
        string? since, CancellationToken cancellationToken)
    {
        var platforms = bridges.Value.All().Values.ToList();
        var incoming = new List<IncomingMessage>();
        List<BridgeRoom>? roomMap = null;
        foreach (var (roomId, room) in joinedRooms ?? [])
        {
            if (room is null || managementRooms.Contains(roomId))
            {
                continue;
            }
            var fromGhosts = (await gaps.TimelineAsync(identity, roomId, room, since, cancellationToken))
                .Select(message => (Message: message, Platform: GhostPlatformOf(message, identity, platforms)))
                .Where(m => m.Platform is not null && IsNewMessage(m.Message))
                .ToList();
            if (fromGhosts.Count == 0)
            {
                continue;
            }
            roomMap ??= await db.BridgeRooms.AsNoTracking()
                .Where(r => r.IdentityId == identity.IdentityId && r.Kind != BridgeRoomKind.Management)
                .ToListAsync(cancellationToken);
            var deviceId = await portals.ReceiverAsync(identity, roomId, room, cancellationToken)
                ?? roomMap.FirstOrDefault(r => r.RoomId == roomId)?.DeviceId;
            if (string.IsNullOrEmpty(deviceId))
            {
                logger.LogWarning("Messages in {RoomId} skipped: no m.bridge receiver names the device that owns the room", roomId);
                continue;
            }
            foreach (var (message, platform) in fromGhosts)
            {
                var sender = message["sender"]!.GetValue<string>();
                if (sender.StartsWith($"@{platform!.GhostPrefix}{deviceId}:", StringComparison.Ordinal))
                {
                    continue; // sent from the phone itself
                }
                var contact = ContactOf(roomMap, platform, deviceId, roomId, sender);
                var content = message["content"]!;
                var payload = new WebhookPayload(
                    Id: message["event_id"]!.GetValue<string>(),
                    IsContact: contact is not null,
                    Type: content["msgtype"]!.GetValue<string>(),
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

    /// <summary>The message's webhook body, its file downloaded (see <see cref="IncomingMedia.OfAsync"/>).</summary>
    public async Task<byte[]> PayloadAsync(MatrixSession identity, IncomingMessage message, bool withoutFileOnError, CancellationToken cancellationToken) =>
        (message.Payload with { Media = await media.OfAsync(identity, message.Content, withoutFileOnError, cancellationToken) }).ToUtf8Json();

    private static BridgePlatform? GhostPlatformOf(JsonNode? message, MatrixSession identity, List<BridgePlatform> platforms)
    {
        if (message?["type"]?.GetValue<string>() != "m.room.message" || message["sender"]?.GetValue<string>() is not { } sender
            || sender == identity.UserId)
        {
            return null;
        }
        return platforms.FirstOrDefault(p => p.IsGhost(sender) && sender != p.BotUserId(identity.Server));
    }

    /// <summary>Edits repeat a message the receiver already has, and redacted events have no content left.</summary>
    private static bool IsNewMessage(JsonNode message) =>
        message["event_id"] is not null
        && message["content"]?["msgtype"] is not null
        && message["content"]?["m.relates_to"]?["rel_type"]?.GetValue<string>() != "m.replace";

    /// <summary>
    /// The contact as the API caller wrote it, when this identity has messaged the sender through the gateway: the
    /// room map's contact row for this portal, or (for a group member) the row for the sender's own number.
    /// </summary>
    private static BridgeRoom? ContactOf(List<BridgeRoom> roomMap, BridgePlatform platform, string deviceId, string roomId, string sender)
    {
        var contacts = roomMap.Where(r => r.Kind == BridgeRoomKind.Contact && r.Platform == platform.Key && r.DeviceId == deviceId).ToList();
        var remoteId = sender[(platform.GhostPrefix.Length + 1)..sender.IndexOf(':')];
        return contacts.FirstOrDefault(r => r.RoomId == roomId) ?? contacts.FirstOrDefault(r => r.RemoteId == remoteId);
    }

    /// <summary>A media event's body is its file name unless a separate <c>filename</c> makes the body a caption.</summary>
    private static string TextOf(JsonNode content)
    {
        var body = content["body"]?.GetValue<string>() ?? "";
        if (content["url"] is null && content["file"] is null)
        {
            return body;
        }
        return content["filename"]?.GetValue<string>() is { } fileName && fileName != body ? body : "";
    }
}

/// <summary>One incoming message: its payload but for the file, and the event content the file comes from.</summary>
public sealed record IncomingMessage(string RoomId, string EventId, WebhookPayload Payload, JsonNode Content);
