using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Shared.Redis;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// The body POSTed to webhooks, exactly as users already parse it (docs/api.md#payload): field names, order and the
/// always-present <c>media</c> object, whose <c>content</c> is null without media and base64 with it.
/// </summary>
public sealed record WebhookPayload(
    string Id, bool IsContact, string Type, string From, string To, string Message, string DeviceId, WebhookMedia Media)
{
    // Receivers read the body as JSON, never as HTML: accents and emoji stay readable instead of \u-escaped.
    private static readonly JsonSerializerOptions Options = new(Json.SnakeCase) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The body as UTF-8, a file's base64 written straight from its bytes: no string of the whole is ever made.</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, Options);
}

/// <param name="Content">The file, written as base64 (System.Text.Json's form for bytes).</param>
public sealed record WebhookMedia(byte[]? Content, WebhookMediaInfo Info)
{
    public static readonly WebhookMedia None = new(null, new WebhookMediaInfo(0, "", 0, 0, "", ""));
}

/// <param name="FileName">The file's name as the sender's phone gave it (an addition to the seed's fields; empty without media).</param>
public sealed record WebhookMediaInfo(long Size, string MimeType, int Width, int Height, string BlurHash, string FileName);
