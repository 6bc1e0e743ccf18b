using System.Collections.Concurrent;
using System.Text.Json;
using Gateway.Sandbox.Matrix;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// What a Matrix user sent into a portal, i.e. what the bridge would have delivered to the remote chat: messages,
/// stickers, reactions (<c>Key</c>), edits (an <c>m.room.message</c> with <c>RelatesTo</c>, the new text in
/// <c>NewBody</c>), redactions and read receipts (<c>Type</c> <c>m.receipt</c>). <c>Recipient</c> is the contact's
/// digits or the group id; <c>ReplyTo</c> the event id of <c>m.in_reply_to</c>; <c>RelatesTo</c> the event edited,
/// reacted to, redacted or read. The last three say what the bridge made of it (see <see cref="BridgeOutcome"/>).
/// </summary>
public sealed record SentMessage(
    string Platform,
    string DeviceId,
    string Recipient,
    string ChatType,
    string ChatId,
    string RoomId,
    string EventId,
    string Sender,
    string Type,
    string? Msgtype,
    string? Body,
    string? FormattedBody,
    string? FileName,
    string? MimeType,
    long? Size,
    int? Width,
    int? Height,
    string? Url,
    string? ReplyTo,
    string? RelatesTo,
    string? Key,
    string? GeoUri,
    bool Voice,
    DateTimeOffset ReceivedAt,
    string? NewBody = null,
    string? ReplacedReaction = null,
    string? IgnoredByNetwork = null,
    string? NetworkMimeType = null);

/// <summary>
/// What the bridge made of an event it sent on: the user's earlier reaction the bot redacted (one reaction per sender
/// and message), why the network drops an event the bridge sent as accepted, and the MIME type WhatsApp got for a file
/// after the bridge's conversion (PNG → JPEG…).
/// </summary>
public sealed record BridgeOutcome(string? ReplacedReaction = null, string? IgnoredByNetwork = null, string? NetworkMimeType = null);

/// <summary>Kept in memory, newest last, bounded so a long demo does not grow without end.</summary>
public sealed class SentMessages(string platform, TimeProvider clock)
{
    private const int Capacity = 10_000;
    private readonly ConcurrentQueue<SentMessage> messages = new();

    public IReadOnlyList<SentMessage> For(string? deviceId) =>
        [.. messages.Where(m => deviceId is null || m.DeviceId == deviceId)];

    public SentMessage? Find(string deviceId, string eventId) =>
        messages.FirstOrDefault(m => m.DeviceId == deviceId && m.EventId == eventId);

    public IReadOnlyList<SentMessage> InRoom(string roomId) => [.. messages.Where(m => m.RoomId == roomId)];

    /// <summary>
    /// The newest message or sticker the user sent in this room, what a contact who reads the chat has read (an edit is
    /// not a message of its own: WhatsApp's receipt names the message).
    /// </summary>
    public SentMessage? NewestIn(string roomId) =>
        messages.LastOrDefault(m => m.RoomId == roomId && m.Type is "m.room.message" or "m.sticker" && m.RelatesTo is null);

    public SentMessage Record(Portal portal, MatrixEvent e, BridgeOutcome? outcome = null)
    {
        var content = e.Content;
        var info = Object(content, "info");
        var relation = Object(content, "m.relates_to");
        var msgtype = e.MsgType;
        var isFile = msgtype is "m.image" or "m.video" or "m.audio" or "m.file";
        var relType = String(relation, "rel_type");
        return Add(Empty(portal, e.RoomId, e.EventId, e.Sender, e.Type) with
        {
            Msgtype = msgtype,
            Body = e.Body,
            FormattedBody = e.String("formatted_body"),
            FileName = e.String("filename") ?? (isFile ? e.Body : null),
            MimeType = String(info, "mimetype"),
            Size = Number(info, "size"),
            Width = (int?)Number(info, "w"),
            Height = (int?)Number(info, "h"),
            Url = e.String("url"),
            ReplyTo = String(Object(relation, "m.in_reply_to"), "event_id"),
            // Only what points at another message: a thread's root is not the event a reply or edit is about.
            RelatesTo = e.Type == "m.room.redaction" ? e.RedactedEvent
                : relType is "m.replace" or "m.annotation" ? String(relation, "event_id") : null,
            Key = relType == "m.annotation" ? String(relation, "key") : null,
            GeoUri = e.String("geo_uri"),
            Voice = content.ValueKind == JsonValueKind.Object && content.TryGetProperty("org.matrix.msc3245.voice", out _),
            NewBody = relType == "m.replace" ? String(Object(content, "m.new_content"), "body") : null,
            ReplacedReaction = outcome?.ReplacedReaction,
            IgnoredByNetwork = outcome?.IgnoredByNetwork,
            NetworkMimeType = outcome?.NetworkMimeType,
        });
    }

    /// <summary>A read receipt on <paramref name="readEventId"/>; ephemeral, so its own <c>EventId</c> is empty.</summary>
    public SentMessage RecordReceipt(Portal portal, string userId, string readEventId) =>
        Add(Empty(portal, portal.RoomId, "", userId, "m.receipt") with { RelatesTo = readEventId });

    private SentMessage Empty(Portal portal, string roomId, string eventId, string sender, string type) => new(
        platform, portal.DeviceId, portal.RemoteId, portal.Kind == ChatKind.Group ? "group" : "contact", portal.ChatId, roomId, eventId,
        sender, type, null, null, null, null, null, null, null, null, null, null, null, null, null, false, clock.GetUtcNow());

    private SentMessage Add(SentMessage message)
    {
        messages.Enqueue(message);
        while (messages.Count > Capacity && messages.TryDequeue(out _))
        {
        }
        return message;
    }

    private static JsonElement? Object(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static string? String(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
}
