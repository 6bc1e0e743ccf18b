using System.Text.Json.Nodes;
using Gateway.Sandbox.Matrix;
using Gateway.Sandbox.Media;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// A message from the remote network to a linked device: from a contact, or from a member of <c>Group</c>.
/// <c>RawContent</c>, when set, is posted as is instead of text or file (a test's unreadable event). <c>Sticker</c>
/// and <c>Voice</c> say what the file is.
/// </summary>
public sealed record IncomingMessage(string FromDigits, string? Text, GroupInfo? Group, IncomingFile? File, bool FromMe,
    JsonObject? RawContent = null, IncomingLocation? Location = null, bool Sticker = false, bool Voice = false);

public sealed record IncomingFile(byte[] Data, string MimeType, string FileName, bool NeverUploaded = false, int? DurationMs = null);

public sealed record IncomingLocation(double Latitude, double Longitude, string? Name);

public sealed record Delivered(Portal Portal, bool PortalCreated, string Sender, string EventId);

/// <summary>
/// Plays the remote side: the contact's (or group member's) ghost posts into the portal, which is created and
/// the user invited first when this chat has none yet, as the bridge does when a new chat starts on the phone.
/// A message the phone's owner sent from the phone comes from the ghost of the device's own number; contacts and
/// group members speak through their LID ghosts.
/// </summary>
public static class IncomingMessages
{
    private const string VoiceMimeType = "audio/ogg; codecs=opus";

    public static async Task<Delivered> DeliverAsync(PlatformBridge bridge, Login login, IncomingMessage message, CancellationToken cancellationToken)
    {
        var speakerDigits = message.FromMe ? login.DeviceId : message.FromDigits;
        var speaker = message.FromMe ? login.DeviceId : bridge.Platform.ContactId(message.FromDigits);
        var (portal, created) = message.Group is { } group
            ? await bridge.Portals.GetOrCreateGroupAsync(login, group)
            : await bridge.Portals.GetOrCreateContactAsync(login, message.FromDigits);
        if (!created)
        {
            portal = await bridge.Portals.EnsureOwnerInvitedAsync(portal);
        }
        if (portal.Kind == ChatKind.Group || message.FromMe)
        {
            await bridge.Portals.EnsureMemberAsync(portal, speaker, "+" + speakerDigits);
        }
        var sender = bridge.Platform.GhostUserId(speaker);
        var (type, content) = await ContentAsync(bridge, sender, message, cancellationToken);
        var eventId = await bridge.Matrix.SendAsync(sender, portal.RoomId, type, content, cancellationToken);
        return new Delivered(portal, created, sender, eventId);
    }

    /// <summary>The event type and content the bridge posts for <paramref name="message"/>, its file uploaded as the ghost.</summary>
    private static async Task<(string Type, JsonObject Content)> ContentAsync(PlatformBridge bridge, string sender, IncomingMessage message,
        CancellationToken cancellationToken)
    {
        if (message.RawContent is { } raw)
        {
            return ("m.room.message", raw.DeepClone().AsObject());
        }
        if (message.Location is { } location)
        {
            return ("m.room.message", MessageContent.Location(location.Latitude, location.Longitude, location.Name));
        }
        if (message.File is not { } file)
        {
            return ("m.room.message", MessageContent.Text(message.Text ?? ""));
        }
        // The bridge converts every voice note to what WhatsApp records, whatever the file was called.
        var mimeType = message.Voice ? VoiceMimeType : file.MimeType;
        var url = file.NeverUploaded
            ? await bridge.Matrix.CreateMediaAsync(sender, cancellationToken)
            : await bridge.Matrix.UploadAsync(sender, file.Data, mimeType, file.FileName, cancellationToken);
        var info = MediaFiles.InfoFor(file.Data, mimeType);
        if (file.DurationMs is { } duration)
        {
            info["duration"] = duration;
        }
        return message.Sticker ? ("m.sticker", MessageContent.Sticker(file.FileName, url, info))
            : message.Voice ? ("m.room.message", MessageContent.Voice(file.FileName, url, info))
            : ("m.room.message", MessageContent.Media(MediaFiles.MsgTypeFor(file.MimeType), file.FileName, message.Text, url, info));
    }

    /// <summary>A group named by invite link, or by id with or without the network's suffix (<c>…@g.us</c>).</summary>
    public static GroupInfo? ResolveGroup(PlatformBridge bridge, string group)
    {
        if (GroupDirectory.InviteCode(bridge.Platform, group) is { } code)
        {
            return GroupDirectory.FromInviteCode(code);
        }
        var suffix = bridge.Platform.Options.GroupIdSuffix;
        var id = suffix.Length > 0 && group.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? group[..^suffix.Length] : group;
        return id.Length > 0 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? GroupDirectory.FromGroupId(id) : null;
    }
}
