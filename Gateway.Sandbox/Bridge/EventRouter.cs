using System.Text.Json;
using Gateway.Sandbox.Matrix;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// Decides what a Matrix event means to the bridge: an invite to the bot (a new management room), a command,
/// or something the user sends to a remote chat through a portal (a message, sticker, reaction, redaction or read receipt).
/// </summary>
public sealed class EventRouter(CommandHandler commands, OutgoingEvents outgoing, ILogger<EventRouter> logger)
{
    // What bridgev2 hands to the network connector; everything else in a portal (state, typing…) stays on Matrix.
    private static readonly HashSet<string> BridgedTypes = ["m.room.message", "m.sticker", "m.reaction", "m.room.redaction"];

    public async Task RouteAsync(PlatformBridge bridge, MatrixEvent e)
    {
        var platform = bridge.Platform;
        if (e.Type == "m.receipt")
        {
            RecordReceipts(bridge, e); // ephemeral: no sender of its own, each reader is inside
            return;
        }
        if (platform.IsBridgeUser(e.Sender))
        {
            return; // our own bot and ghosts, echoed back
        }
        if (e is { Type: "m.room.member", Membership: "invite" } && e.StateKey == platform.BotUserId)
        {
            await AcceptInviteAsync(bridge, e);
            return;
        }
        if (!BridgedTypes.Contains(e.Type))
        {
            return;
        }
        var portal = bridge.Portals.ByRoom(e.RoomId);
        if (e.Type == "m.room.message" && CommandText(bridge, e, inPortal: portal is not null) is { } command)
        {
            await commands.HandleAsync(bridge, e, command);
        }
        else if (portal is not null)
        {
            await BridgeAsync(bridge, portal, e);
        }
    }

    private async Task BridgeAsync(PlatformBridge bridge, Portal portal, MatrixEvent e)
    {
        if (bridge.Logins.Find(portal.DeviceId) is { IsConnected: false } login)
        {
            await RefuseAsync(bridge, e, login);
            return;
        }
        await outgoing.HandleAsync(bridge, portal, e);
    }

    /// <summary>
    /// An event through a login the phone unlinked goes nowhere. bridgev2 says so (ErrNotLoggedIn: may be retried once
    /// logged in again), with the login's last state message for its owner and the bare reason for anyone else.
    /// </summary>
    private async Task RefuseAsync(PlatformBridge bridge, MatrixEvent e, Login login)
    {
        logger.LogInformation("{Platform} login {DeviceId} is {State}: {EventId} not bridged", bridge.Platform.Name, login.DeviceId, login.State, e.EventId);
        var reason = e.Sender == login.UserId && BotTexts.StateMessage(login.StateError ?? "") is { } message
            ? message
            : BotTexts.NotLoggedInHere;
        await bridge.Statuses.FailedAsync(StatusTarget.Of(e), MessageStatuses.Retriable, MessageStatuses.NoPermission, reason);
    }

    /// <summary>
    /// The user's read receipts in portals (<c>{"$event": {"m.read": {"@user": {…}}}}</c>). Private receipts never go
    /// to the remote chat, and our ghosts' own receipts come back here too.
    /// </summary>
    private void RecordReceipts(PlatformBridge bridge, MatrixEvent e)
    {
        if (bridge.Portals.ByRoom(e.RoomId) is not { } portal || e.Content.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        foreach (var read in e.Content.EnumerateObject())
        {
            if (read.Value.ValueKind != JsonValueKind.Object || !read.Value.TryGetProperty("m.read", out var readers)
                || readers.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            foreach (var reader in readers.EnumerateObject().Where(r => !bridge.Platform.IsBridgeUser(r.Name)))
            {
                bridge.Sent.RecordReceipt(portal, reader.Name, read.Name);
                logger.LogInformation("{Platform} {User} read {EventId} in {RoomId}", bridge.Platform.Name, reader.Name, read.Name, e.RoomId);
            }
        }
    }

    /// <summary>
    /// Any room that is not a portal is a management room: there the prefix is optional, as in mautrix's management
    /// rooms. In a portal only prefixed text is a command; everything else goes to the remote chat.
    /// </summary>
    private static string? CommandText(PlatformBridge bridge, MatrixEvent e, bool inPortal)
    {
        if (e.MsgType != "m.text" || e.Body is not { } body)
        {
            return null;
        }
        var text = body.Trim();
        var prefix = bridge.Platform.Options.CommandPrefix;
        if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && (text.Length == prefix.Length || char.IsWhiteSpace(text[prefix.Length])))
        {
            return text[prefix.Length..].Trim();
        }
        return inPortal ? null : text;
    }

    private async Task AcceptInviteAsync(PlatformBridge bridge, MatrixEvent invite)
    {
        await bridge.Matrix.JoinAsync(null, invite.RoomId, CancellationToken.None);
        if (bridge.Portals.ByRoom(invite.RoomId) is null)
        {
            var loggedIn = bridge.Logins.DefaultOf(invite.Sender) is not null;
            await bridge.SayAsync(invite.RoomId, MessageContent.Notice(BotTexts.Welcome(bridge.Platform.Options.NetworkName, loggedIn)));
        }
        logger.LogInformation("{Bot} joined {RoomId} on the invite of {User}", bridge.Platform.BotUserId, invite.RoomId, invite.Sender);
    }
}
