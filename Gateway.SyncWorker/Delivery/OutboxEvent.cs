using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Shared.Redis;

namespace Gateway.SyncWorker.Delivery;

/// <summary>
/// One event for the webhooks that take its <paramref name="Kind"/>: <paramref name="Id"/> is its payload's <c>id</c>, unique
/// per identity and stable across replays, so recording it twice adds nothing; events of one <paramref name="Stream"/> (a
/// chat's room) reach each webhook in the order they are recorded.
/// </summary>
public sealed record OutboxEvent(string Kind, string Id, string Stream, byte[] Body)
{
    // Receivers read the body as JSON, never as HTML: accents stay readable (emoji, beyond the BMP, are \u-escaped as
    // they always were: payloads keep their bytes).
    private static readonly JsonSerializerOptions Options = new(Json.SnakeCase) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The body of a payload record as UTF-8 JSON, its fields in their declared order; a file's bytes go straight in as base64.</summary>
    public static byte[] Serialize<T>(T payload) => JsonSerializer.SerializeToUtf8Bytes(payload, Options);

    /// <summary>When the chat network saw it, as every payload's <c>timestamp</c> says it (RFC 3339, UTC).</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
