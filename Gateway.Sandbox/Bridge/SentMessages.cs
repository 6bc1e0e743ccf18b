using System.Collections.Concurrent;
using System.Text.Json;
using Gateway.Sandbox.Matrix;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// What a Matrix user sent into a portal, i.e. what the bridge would have delivered to the remote chat.
/// <c>Recipient</c> is the contact's digits or the group id; <c>ReplyTo</c> the event id of <c>m.in_reply_to</c>.
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
    DateTimeOffset ReceivedAt);

/// <summary>Kept in memory, newest last, bounded so a long demo does not grow without end.</summary>
public sealed class SentMessages(string platform, TimeProvider clock)
{
    private const int Capacity = 10_000;
    private readonly ConcurrentQueue<SentMessage> messages = new();

    public IReadOnlyList<SentMessage> For(string? deviceId) =>
        [.. messages.Where(m => deviceId is null || m.DeviceId == deviceId)];

    public SentMessage Record(Portal portal, MatrixEvent e)
    {
        var content = e.Content;
        var info = Object(content, "info");
        var msgtype = e.MsgType;
        var isFile = msgtype is "m.image" or "m.video" or "m.audio" or "m.file";
        var message = new SentMessage(
            Platform: platform,
            DeviceId: portal.DeviceId,
            Recipient: portal.RemoteId,
            ChatType: portal.Kind == ChatKind.Group ? "group" : "contact",
            ChatId: portal.ChatId,
            RoomId: e.RoomId,
            EventId: e.EventId,
            Sender: e.Sender,
            Type: e.Type,
            Msgtype: msgtype,
            Body: e.Body,
            FormattedBody: e.String("formatted_body"),
            FileName: e.String("filename") ?? (isFile ? e.Body : null),
            MimeType: String(info, "mimetype"),
            Size: Number(info, "size"),
            Width: (int?)Number(info, "w"),
            Height: (int?)Number(info, "h"),
            Url: e.String("url"),
            ReplyTo: String(Object(Object(content, "m.relates_to"), "m.in_reply_to"), "event_id"),
            ReceivedAt: clock.GetUtcNow());
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
