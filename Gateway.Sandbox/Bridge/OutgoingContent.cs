using System.Globalization;
using System.Text.Json;

namespace Gateway.Sandbox.Bridge;

/// <summary>The bridge's word on a message's content: refused, or sent, with the MIME type WhatsApp gets for a file.</summary>
public sealed record ContentVerdict(Refusal? Refusal, string? NetworkMimeType = null)
{
    public static readonly ContentVerdict Accepted = new(null, null);
}

/// <summary>
/// What mautrix-whatsapp takes from Matrix, in the order it checks: bridgev2's capability check (portal.go
/// checkMessageContentCaps over capabilities.go's file features), then the connector's conversion (msgconv/from-matrix.go
/// reuploadFileToWhatsApp, parseGeoURI). The conversions themselves (PNG to JPEG, WebM to MP4 with ffmpeg…) are only
/// named in the verdict: the sandbox sends nothing anywhere. Without <c>info.mimetype</c> the bridge would sniff the
/// downloaded bytes; the sandbox takes such a file as it comes.
/// </summary>
public static class OutgoingContent
{
    public const string WhatsApp = "whatsapp";
    private const long MaxFileSize = 2000L * 1024 * 1024; // WAMaxFileSize

    // capabilities.go: what each kind of file may be. Only CapLevelRejected refuses, so voice also takes plain
    // audio/ogg (CapLevelUnsupported); GIF, WebM and QuickTime need ffmpeg, which the bridge's Docker image has.
    private static readonly Dictionary<string, HashSet<string>> Accepted = new()
    {
        ["m.image"] = ["image/jpeg", "image/png", "image/webp", "image/gif"],
        ["m.audio"] = ["audio/mpeg", "audio/mp4", "audio/ogg", "audio/aac", "audio/amr"],
        ["org.matrix.msc3245.voice"] = ["audio/ogg; codecs=opus", "audio/ogg"],
        ["m.sticker"] = ["image/webp", "image/png", "image/jpeg", "video/lottie+json"],
        ["fi.mau.gif"] = ["video/mp4", "image/gif"],
        ["m.video"] = ["video/mp4", "video/3gpp", "video/webm", "video/quicktime"],
        ["m.file"] = ["*/*"],
    };

    /// <summary><paramref name="content"/> of an event of <paramref name="eventType"/> (an edit's new content for an edit).</summary>
    public static ContentVerdict Check(string connector, string eventType, JsonElement content)
    {
        if (connector != WhatsApp)
        {
            return ContentVerdict.Accepted;
        }
        var msgtype = eventType == "m.sticker" ? "m.sticker" : Text(content, "msgtype") ?? "";
        return msgtype switch
        {
            "m.text" or "m.notice" or "m.emote" => ContentVerdict.Accepted,
            "m.location" => GeoUri.Parse(Text(content, "geo_uri") ?? "").Error is { } error
                ? new ContentVerdict(Refusals.ConversionError(error))
                : ContentVerdict.Accepted,
            "m.image" or "m.video" or "m.audio" or "m.file" or "m.sticker" => CheckFile(msgtype, content),
            _ => new ContentVerdict(Refusals.UnsupportedMessageType(msgtype)),
        };
    }

    private static ContentVerdict CheckFile(string msgtype, JsonElement content)
    {
        var info = content.TryGetProperty("info", out var i) && i.ValueKind == JsonValueKind.Object ? i : (JsonElement?)null;
        var mime = info is { } described ? Text(described, "mimetype") ?? "" : "";
        var capabilityType = msgtype switch
        {
            "m.audio" when content.TryGetProperty("org.matrix.msc3245.voice", out _) => "org.matrix.msc3245.voice",
            "m.video" when info is { } video && video.TryGetProperty("fi.mau.gif", out var gif) && gif.ValueKind == JsonValueKind.True => "fi.mau.gif",
            _ => msgtype,
        };
        if (info is { } sized && sized.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number
            && size.TryGetInt64(out var bytes) && bytes > MaxFileSize)
        {
            return new ContentVerdict(Refusals.MediaTooLarge(MiB(bytes), MiB(MaxFileSize)));
        }
        if (mime.Length > 0 && !IsAccepted(Accepted[capabilityType], mime))
        {
            return new ContentVerdict(Refusals.UnsupportedMediaType(mime, capabilityType));
        }
        return mime.Length == 0 ? ContentVerdict.Accepted : Convert(msgtype, mime);
    }

    /// <summary>reuploadFileToWhatsApp: what each kind of message is sent as, by exact MIME type (a GIF is always a video).</summary>
    private static ContentVerdict Convert(string msgtype, string mime)
    {
        if (mime == "image/gif")
        {
            msgtype = "m.video";
        }
        return msgtype switch
        {
            "m.sticker" => new ContentVerdict(null, mime switch
            {
                "video/lottie+json" or "application/was" => "application/was",
                _ => "image/webp", // padded to a square WebP unless it is one already
            }),
            "m.image" => mime switch
            {
                "image/jpeg" => new ContentVerdict(null, mime),
                "image/webp" or "image/png" => new ContentVerdict(null, "image/jpeg"),
                _ => new ContentVerdict(Refusals.ConnectorUnsupportedMediaType(mime, "image")),
            },
            "m.video" => mime switch
            {
                "video/mp4" or "video/3gpp" => new ContentVerdict(null, mime),
                "video/webm" or "video/quicktime" or "image/gif" => new ContentVerdict(null, "video/mp4"),
                _ => new ContentVerdict(Refusals.ConnectorUnsupportedMediaType(mime, "video")),
            },
            "m.audio" => mime switch
            {
                "audio/aac" or "audio/mp4" or "audio/amr" or "audio/mpeg" or "audio/ogg; codecs=opus" => new ContentVerdict(null, mime),
                "audio/ogg" => new ContentVerdict(null, "audio/ogg; codecs=opus"), // "hopefully it's opus already"
                _ => new ContentVerdict(Refusals.ConnectorUnsupportedMediaType(mime, "audio")),
            },
            _ => new ContentVerdict(null, mime), // m.file: always a document, as it is
        };
    }

    /// <summary>FileFeatures.GetMimeSupport: the exact type, then without parameters, then <c>type/*</c>, then <c>*/*</c>.</summary>
    private static bool IsAccepted(HashSet<string> accepted, string mime)
    {
        if (accepted.Contains(mime))
        {
            return true;
        }
        var plain = mime.Split(';')[0].Trim().ToLowerInvariant();
        if (mime.Contains(';') && plain.Contains('/') && accepted.Contains(plain))
        {
            return true;
        }
        var slash = mime.IndexOf('/');
        return (slash > 0 && accepted.Contains(mime[..slash] + "/*")) || accepted.Contains("*/*");
    }

    private static string MiB(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture);

    private static string? Text(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
