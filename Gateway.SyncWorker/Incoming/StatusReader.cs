using System.Text.Json.Nodes;
using Gateway.Shared.Data;
using Gateway.Shared.Events;
using Gateway.Shared.Matrix;
using Microsoft.EntityFrameworkCore;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// <c>message.status</c> (docs/bridge.md#after-a-message): the identity's own messages are recorded as they appear
/// (the Api records them too, whichever is first), then moved on by what the bridge reports: its
/// <c>com.beeper.message_send_status</c> events (<c>SUCCESS</c> = sent, again with <c>delivered_to_users</c> = delivered,
/// <c>FAIL_PERMANENT</c>/<c>FAIL_RETRIABLE</c> = failed), its error notices (which come whether or not status events are on), and
/// the contacts' read receipts, each of which reads every message sent before the one it marks.
/// </summary>
public sealed class StatusReader(GatewayDb db) : IIncomingReader
{
    private const string NotBridged = "⚠️ Your message was not bridged", MayNotBeBridged = "⚠️ Your message may not have been bridged";
    // A receipt reads what came before it; a chat read after months of silence steps this many messages at most.
    private const int MaxReadAtOnce = 200;

    public async Task<IReadOnlyList<IncomingEvent>?> ReadAsync(PortalChat portal, JsonNode matrixEvent, CancellationToken cancellationToken)
    {
        var sender = EventJson.String(matrixEvent["sender"]);
        var content = matrixEvent["content"];
        switch (EventJson.String(matrixEvent["type"]))
        {
            case "m.room.message" or "m.sticker" when portal.IsIdentity(sender) && !MessageReader.IsEdit(matrixEvent):
                await RecordSentAsync(portal, matrixEvent, cancellationToken);
                return [];
            case "com.beeper.message_send_status" when portal.IsBot(sender):
                return EventJson.String(EventJson.At(content, "m.relates_to", "event_id")) is { } sent && StatusOf(content) is { } reported
                    ? [Step(portal, sent, reported.Status, reported.Error, PortalChat.TimeOf(matrixEvent))]
                    : [];
            case "m.room.message" when portal.IsBot(sender) && EventJson.String(content?["msgtype"]) == "m.notice":
                return EventJson.String(content?["body"]) is { } body && (body.StartsWith(NotBridged) || body.StartsWith(MayNotBeBridged))
                    && EventJson.String(EventJson.At(content, "m.relates_to", "m.in_reply_to", "event_id")) is { } failed
                    ? [Step(portal, failed, MessageStatuses.Failed, WhyOf(body), PortalChat.TimeOf(matrixEvent))]
                    : [];
            case "m.receipt":
                return await ReadReceiptsAsync(portal, content, cancellationToken);
            default:
                return null;
        }
    }

    /// <summary>What a status event reports; null for one that reports no step (<c>PENDING</c>, or a shape not known).</summary>
    public static (string Status, string? Error)? StatusOf(JsonNode? content) => EventJson.String(content?["status"]) switch
    {
        "SUCCESS" when content!["delivered_to_users"] is JsonArray { Count: > 0 } => (MessageStatuses.Delivered, null),
        "SUCCESS" => (MessageStatuses.Sent, null),
        "FAIL_PERMANENT" or "FAIL_RETRIABLE" or "FAIL" or "RETRIABLE" => (MessageStatuses.Failed, // bridgev2 says the first two
            // Its words for people, else its words for logs (some refusals have only those), else the reason's code.
            EventJson.String(content!["message"]) ?? EventJson.String(content["error"]) ?? EventJson.String(content["internal_error"])
                ?? EventJson.String(content["reason"]) ?? "The bridge refused the message"),
        _ => null,
    };

    /// <summary>The bridge's words after the notice's opening: <c>⚠️ Your message was not bridged: &lt;why&gt;</c>.</summary>
    public static string WhyOf(string notice) => notice.IndexOf(": ", StringComparison.Ordinal) is var colon and >= 0 ? notice[(colon + 2)..].Trim() : notice;

    private Task RecordSentAsync(PortalChat portal, JsonNode matrixEvent, CancellationToken cancellationToken) =>
        EventJson.String(matrixEvent["event_id"]) is { } eventId
            ? db.RecordSentMessageAsync(portal.Identity.IdentityId, eventId, portal.Platform.Key, portal.DeviceId, portal.RoomId, portal.Recipient,
                PortalChat.TimeOf(matrixEvent).UtcDateTime, cancellationToken)
            : Task.CompletedTask;

    /// <summary>
    /// <c>m.read</c> receipts of contacts (<c>{event: {"m.read": {user: {ts}}}}</c>): every message of this device sent in
    /// the room up to the event read is read, when it is not already (or failed).
    /// </summary>
    private async Task<IReadOnlyList<IncomingEvent>> ReadReceiptsAsync(PortalChat portal, JsonNode? content, CancellationToken cancellationToken)
    {
        var steps = new List<IncomingEvent>();
        foreach (var (readEventId, receipt) in content as JsonObject ?? [])
        {
            var readers = (receipt?["m.read"] as JsonObject ?? []).Where(r => portal.IsContact(r.Key)).ToList();
            if (readers.Count == 0)
            {
                continue;
            }
            var readAt = readers.Min(r => EventJson.Long(r.Value?["ts"]) ?? 0);
            var identityId = portal.Identity.IdentityId;
            var upTo = await db.SentMessages.AsNoTracking()
                .Where(m => m.IdentityId == identityId && m.EventId == readEventId).Select(m => (DateTime?)m.SentAt).FirstOrDefaultAsync(cancellationToken)
                ?? DateTimeOffset.FromUnixTimeMilliseconds(readAt).UtcDateTime; // a contact's message read: all that came before it
            var unread = await db.SentMessages.AsNoTracking()
                .Where(m => m.IdentityId == identityId && m.RoomId == portal.RoomId && m.DeviceId == portal.DeviceId && m.SentAt <= upTo
                    && m.Status != MessageStatuses.Read && m.Status != MessageStatuses.Failed)
                .OrderByDescending(m => m.SentAt).Take(MaxReadAtOnce)
                .Select(m => m.EventId).ToListAsync(cancellationToken);
            var at = DateTimeOffset.FromUnixTimeMilliseconds(readAt);
            steps.AddRange(Enumerable.Reverse(unread).Select(messageId => Step(portal, messageId, MessageStatuses.Read, null, at)));
        }
        return steps;
    }

    /// <summary>A step's payload; its recipient is filled in when it is stored, from the message's record.</summary>
    private static IncomingEvent Step(PortalChat portal, string messageId, string status, string? error, DateTimeOffset at)
    {
        var id = $"{messageId}:{status}";
        return new IncomingEvent(EventKinds.MessageStatus, id, portal.RoomId,
            new StatusPayload(EventKinds.MessageStatus, id, portal.DeviceId, portal.Chat, Delivery.OutboxEvent.Timestamp(at), messageId, Recipient: "", status, error),
            Step: new StatusStep(messageId, status, error));
    }
}
