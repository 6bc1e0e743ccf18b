using System.Text.Json.Nodes;
using Gateway.Sandbox.Matrix;
using Gateway.Sandbox.Media;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// A message from the remote network to a linked device: from a contact, or from a member of <c>Group</c>.
/// <c>RawContent</c>, when set, is posted as is instead of text or file (a test's unreadable event).
/// </summary>
public sealed record IncomingMessage(string FromDigits, string? Text, GroupInfo? Group, IncomingFile? File, bool FromMe,
    JsonObject? RawContent = null);

public sealed record IncomingFile(byte[] Data, string MimeType, string FileName, bool NeverUploaded = false);

public sealed record Delivered(Portal Portal, bool PortalCreated, string Sender, string EventId);

/// <summary>
/// Plays the remote side: the contact's (or group member's) ghost posts into the portal, which is created and
/// the user invited first when this chat has none yet, as the bridge does when a new chat starts on the phone.
/// A message the phone's owner sent from the phone comes from the ghost of the device's own number; contacts and
/// group members speak through their LID ghosts.
/// </summary>
public static class IncomingMessages
{
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
        var content = message.RawContent is { } raw ? raw.DeepClone().AsObject()
            : message.File is { } file
            ? MessageContent.Media(MediaFiles.MsgTypeFor(file.MimeType), file.FileName, message.Text,
                file.NeverUploaded
                    ? await bridge.Matrix.CreateMediaAsync(sender, cancellationToken)
                    : await bridge.Matrix.UploadAsync(sender, file.Data, file.MimeType, file.FileName, cancellationToken),
                MediaFiles.InfoFor(file.Data, file.MimeType))
            : MessageContent.Text(message.Text ?? "");
        var eventId = await bridge.Matrix.SendAsync(sender, portal.RoomId, "m.room.message", content, cancellationToken);
        return new Delivered(portal, created, sender, eventId);
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
