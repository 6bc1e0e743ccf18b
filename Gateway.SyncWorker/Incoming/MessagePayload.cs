namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// A <c>message</c> event as webhooks get it (docs/api.md#payload): first the seed's fields exactly as users already
/// parse them (names, order, the always-present <c>media</c> whose <c>content</c> is null without a file), then the
/// additions every event has and those of messages.
/// </summary>
public sealed record MessagePayload(
    string Id, bool IsContact, string Type, string From, string To, string Message, string DeviceId, WebhookMedia Media,
    string Event, string Timestamp, WebhookChat Chat, string? ReplyTo, WebhookLocation? Location, bool Voice);

/// <param name="Content">The file, written as base64 (System.Text.Json's form for bytes).</param>
public sealed record WebhookMedia(byte[]? Content, WebhookMediaInfo Info)
{
    public static readonly WebhookMedia None = new(null, new WebhookMediaInfo(0, "", 0, 0, "", ""));
}

/// <param name="FileName">The file's name as the sender's phone gave it (an addition to the seed's fields; empty without media).</param>
public sealed record WebhookMediaInfo(long Size, string MimeType, int Width, int Height, string BlurHash, string FileName);

public sealed record WebhookLocation(double Latitude, double Longitude, string Name);
