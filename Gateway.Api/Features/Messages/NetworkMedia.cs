namespace Gateway.Api.Features.Messages;

/// <summary>
/// What the network shows a file as. WhatsApp takes a photo, video or audio only in the types mautrix-whatsapp sends
/// as such without converting them (pkg/connector/capabilities.go) and refuses the rest; a document it never refuses,
/// so every other file goes as one and "sent" means sent.
/// </summary>
public static class NetworkMedia
{
    /// <summary>A voice note is Opus in Ogg, and says so: the bridge refuses plain <c>audio/ogg</c> as one.</summary>
    public const string VoiceMimeType = "audio/ogg; codecs=opus";

    // GIF and WebM or QuickTime video would need the bridge's ffmpeg, which not every deployment of it has.
    private static readonly Dictionary<string, string> Shown = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/jpeg"] = "m.image",
        ["image/png"] = "m.image",
        ["image/webp"] = "m.image",
        ["video/mp4"] = "m.video",
        ["video/3gpp"] = "m.video",
        ["audio/mpeg"] = "m.audio",
        ["audio/mp4"] = "m.audio",
        ["audio/ogg"] = "m.audio",
        ["audio/aac"] = "m.audio",
        ["audio/amr"] = "m.audio",
    };

    /// <summary>The msgtype a file of <paramref name="mimeType"/> goes as: <c>m.file</c> unless the network shows it as it is.</summary>
    public static string MessageType(string mimeType) => Shown.GetValueOrDefault(MediaType(mimeType), "m.file");

    /// <summary>Whether a file can go as a voice note: Ogg audio (<c>.ogg</c>, <c>.oga</c>, <c>.opus</c>), which is Opus on WhatsApp.</summary>
    public static bool CanBeVoice(string mimeType) => MediaType(mimeType) is "audio/ogg" or "audio/opus";

    private static string MediaType(string mimeType) => mimeType.Split(';')[0].Trim();
}
