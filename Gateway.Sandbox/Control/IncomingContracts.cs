using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Sandbox.Bridge;

namespace Gateway.Sandbox.Control;

/// <param name="Content">Posted as is as the message's content instead of text or media (to test unreadable events).</param>
/// <param name="Sticker">The media (an image) goes as an <c>m.sticker</c> event, as WhatsApp stickers do.</param>
/// <param name="Voice">The media (audio) is a voice note (WhatsApp's push-to-talk).</param>
public sealed record IncomingRequest(string? DeviceId, string? From, string? Text, string? Group, IncomingMediaRequest? Media,
    string? Platform, bool FromMe = false, JsonElement? Content = null, bool Sticker = false, bool Voice = false,
    IncomingLocationRequest? Location = null)
{
    /// <summary>The message this request describes for <paramref name="bridge"/>'s network, or why it cannot be one.</summary>
    public (IncomingMessage? Message, string? Error) Validate(PlatformBridge bridge)
    {
        if (string.IsNullOrWhiteSpace(DeviceId))
        {
            return (null, "Missing required field: device_id");
        }
        if (string.IsNullOrWhiteSpace(From))
        {
            return (null, "Missing required field: from");
        }
        if (PhoneNumbers.Normalise(From, bridge.Platform.Options.ContactIdSuffix) is not { } from)
        {
            return (null, $"Invalid phone number in from: {From}");
        }
        JsonObject? raw = null;
        if (Content is { ValueKind: not JsonValueKind.Null } content)
        {
            if (content.ValueKind != JsonValueKind.Object)
            {
                return (null, "content must be a JSON object");
            }
            if (!string.IsNullOrEmpty(Text) || Media is not null)
            {
                return (null, "Give either content or text/media, not both");
            }
            if (Location is not null || Sticker || Voice)
            {
                return (null, "content cannot go with location, sticker or voice");
            }
            raw = JsonObject.Create(content);
        }
        else if (string.IsNullOrEmpty(Text) && Media is null && Location is null)
        {
            return (null, "Either text, media or content must be provided");
        }
        GroupInfo? group = null;
        if (!string.IsNullOrWhiteSpace(Group) && (group = IncomingMessages.ResolveGroup(bridge, Group.Trim())) is null)
        {
            return (null, $"Not a group invite link or group id: {Group}");
        }
        IncomingFile? file = null;
        if (Media is not null)
        {
            var (decoded, error) = Media.Decode();
            if (error is not null)
            {
                return (null, error);
            }
            file = decoded;
        }
        if (KindError(file) is { } kindError)
        {
            return (null, kindError);
        }
        var location = Location is { } l ? new IncomingLocation(l.Latitude!.Value, l.Longitude!.Value, l.Name) : null;
        return (new IncomingMessage(from, Text, group, file, FromMe, raw, location, Sticker, Voice), null);
    }

    /// <summary>Stickers are images and voice notes audio, both without a caption (WhatsApp has none); a location is nothing else.</summary>
    private string? KindError(IncomingFile? file)
    {
        if (Sticker && Voice)
        {
            return "Give either sticker or voice, not both";
        }
        if (Sticker && (file is null || !file.MimeType.StartsWith("image/", StringComparison.OrdinalIgnoreCase)))
        {
            return "A sticker needs image media (media.mime_type image/…)";
        }
        if ((Sticker || Voice) && !string.IsNullOrEmpty(Text))
        {
            return $"A {(Sticker ? "sticker" : "voice note")} has no caption: leave text out";
        }
        if (Voice && (file is null || !file.MimeType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)))
        {
            return "A voice note needs audio media (media.mime_type audio/…)";
        }
        return Location?.Validate(hasTextOrMedia: !string.IsNullOrEmpty(Text) || file is not null);
    }
}

/// <param name="NeverUploaded">
/// The bridge reserves the file's URL but never uploads it (an asynchronous upload that failed): every download of it
/// waits, then fails with 504 <c>M_NOT_YET_UPLOADED</c>.
/// </param>
/// <param name="DurationMs">Length of audio or video, for <c>info.duration</c> (the sandbox does not read media files).</param>
public sealed record IncomingMediaRequest(string? MimeType, string? Base64, string? Filename, bool NeverUploaded = false, int? DurationMs = null)
{
    public (IncomingFile? File, string? Error) Decode()
    {
        if (string.IsNullOrEmpty(Base64))
        {
            return (null, "Missing required field: media.base64");
        }
        var data = new byte[Base64.Length];
        if (!Convert.TryFromBase64String(Base64, data, out var length))
        {
            return (null, "media.base64 is not valid base64");
        }
        if (DurationMs is < 0)
        {
            return (null, "media.duration_ms must not be negative");
        }
        return (new IncomingFile(data[..length],
            string.IsNullOrWhiteSpace(MimeType) ? "application/octet-stream" : MimeType,
            string.IsNullOrWhiteSpace(Filename) ? "file" : Filename, NeverUploaded, DurationMs), null);
    }
}

/// <summary>A shared location; <c>Name</c> (a place's name) becomes the body.</summary>
public sealed record IncomingLocationRequest(double? Latitude, double? Longitude, string? Name)
{
    public string? Validate(bool hasTextOrMedia) =>
        hasTextOrMedia ? "A location takes no text or media (its name goes in location.name)"
        : Latitude is null ? "Missing required field: location.latitude"
        : Longitude is null ? "Missing required field: location.longitude"
        : Latitude is < -90 or > 90 ? "location.latitude must be between -90 and 90"
        : Longitude is < -180 or > 180 ? "location.longitude must be between -180 and 180"
        : null;
}
