using System.Text.Json.Nodes;
using Gateway.Shared.Events;
using Gateway.Shared.Matrix;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// <c>message</c>: what a contact sends (docs/bridge.md#incoming-messages), an <c>m.room.message</c> or <c>m.sticker</c>
/// from a contact's ghost. Not an edit (<see cref="EditReader"/>) and not redacted (no content left), and readable: a
/// string <c>msgtype</c> (stickers have none) and <c>body</c> (empty for a file without caption), and for a file its
/// <c>url</c>. Anything else is skipped with a warning, never retried: it could only fail again.
/// </summary>
public sealed class MessageReader(ILogger<MessageReader> logger) : IIncomingReader
{
    public Task<IReadOnlyList<IncomingEvent>?> ReadAsync(PortalChat portal, JsonNode matrixEvent, CancellationToken cancellationToken)
    {
        var type = EventJson.String(matrixEvent["type"]);
        var sender = EventJson.String(matrixEvent["sender"]);
        if (type is not ("m.room.message" or "m.sticker") || !portal.IsContact(sender) || IsEdit(matrixEvent))
        {
            return Task.FromResult<IReadOnlyList<IncomingEvent>?>(null);
        }
        if (EventJson.String(matrixEvent["event_id"]) is not { } eventId || matrixEvent["content"] is not JsonObject { Count: > 0 } content)
        {
            return Task.FromResult<IReadOnlyList<IncomingEvent>?>([]); // redacted before it was read: nothing left to tell
        }
        if (Unreadable(type, content) is { } why)
        {
            logger.LogWarning("Skipping {EventId} from {Sender}: unreadable content ({Why})", eventId, sender, why);
            return Task.FromResult<IReadOnlyList<IncomingEvent>?>([]);
        }
        var msgtype = type == "m.sticker" ? "m.sticker" : EventJson.String(content["msgtype"])!;
        var contact = portal.KnownContact(sender!);
        var location = msgtype == "m.location" && GeoUri.Parse(EventJson.String(content["geo_uri"])) is { } at
            ? new WebhookLocation(at.Latitude, at.Longitude, EventJson.String(content["body"]) ?? "")
            : null;
        var payload = new MessagePayload(
            Id: eventId,
            IsContact: contact is not null,
            Type: msgtype,
            From: portal.From(sender!),
            To: portal.Identity.UserId,
            Message: location is null ? TextOf(content) : "",
            DeviceId: portal.DeviceId,
            Media: WebhookMedia.None, // downloaded when the message is stored: one file in memory at a time
            Event: EventKinds.Message,
            Timestamp: PortalChat.TimestampOf(matrixEvent),
            Chat: portal.Chat,
            ReplyTo: EventJson.String(EventJson.At(content, "m.relates_to", "m.in_reply_to", "event_id")),
            Location: location,
            Voice: content["org.matrix.msc3245.voice"] is not null);
        return Task.FromResult<IReadOnlyList<IncomingEvent>?>([new IncomingEvent(EventKinds.Message, eventId, portal.RoomId, payload, File: content,
            Received: new ReceivedIn(portal.Platform.Key, portal.DeviceId, PortalChat.TimeOf(matrixEvent).UtcDateTime))]);
    }

    public static bool IsEdit(JsonNode matrixEvent) => EventJson.String(EventJson.At(matrixEvent, "content", "m.relates_to", "rel_type")) == "m.replace";

    private static string? Unreadable(string type, JsonObject content) => (type == "m.sticker" ? "m.sticker" : EventJson.String(content["msgtype"])) switch
    {
        null => "no string msgtype",
        _ when EventJson.String(content["body"]) is null => "no string body",
        "m.image" or "m.video" or "m.audio" or "m.file" or "m.sticker" when EventJson.String(content["url"]) is null && content["file"] is not JsonObject =>
            "a file without a url",
        _ => null,
    };

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
