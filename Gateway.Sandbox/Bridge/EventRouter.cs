using Gateway.Sandbox.Matrix;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// Decides what a Matrix event means to the bridge: an invite to the bot (a new management room), a command,
/// or a message the user sends to a remote chat through a portal.
/// </summary>
public sealed class EventRouter(CommandHandler commands, ILogger<EventRouter> logger)
{
    public async Task RouteAsync(PlatformBridge bridge, MatrixEvent e)
    {
        var platform = bridge.Platform;
        if (platform.IsBridgeUser(e.Sender))
        {
            return; // our own bot and ghosts, echoed back
        }
        if (e is { Type: "m.room.member", Membership: "invite" } && e.StateKey == platform.BotUserId)
        {
            await AcceptInviteAsync(bridge, e);
            return;
        }
        if (e.Type != "m.room.message")
        {
            return;
        }
        var portal = bridge.Portals.ByRoom(e.RoomId);
        if (CommandText(bridge, e, inPortal: portal is not null) is { } command)
        {
            await commands.HandleAsync(bridge, e, command);
        }
        else if (portal is not null)
        {
            if (bridge.Logins.Find(portal.DeviceId) is { IsConnected: false } login)
            {
                await RefuseAsync(bridge, e, login);
                return;
            }
            var sent = bridge.Sent.Record(portal, e);
            logger.LogInformation("{Platform} login {DeviceId} sent {Msgtype} to {Recipient}", platform.Name, sent.DeviceId, sent.Msgtype, sent.Recipient);
        }
    }

    /// <summary>
    /// A message through a login the phone unlinked goes nowhere. bridgev2 says so in reply (never to a notice), with
    /// the login's last state message for its owner and the bare reason for anyone else.
    /// </summary>
    private async Task RefuseAsync(PlatformBridge bridge, MatrixEvent e, Login login)
    {
        logger.LogInformation("{Platform} login {DeviceId} is {State}: {EventId} not bridged", bridge.Platform.Name, login.DeviceId, login.State, e.EventId);
        if (e.MsgType == "m.notice")
        {
            return;
        }
        var reason = e.Sender == login.UserId && BotTexts.StateMessage(login.StateError ?? "") is { } message
            ? message
            : BotTexts.NotLoggedInHere;
        await bridge.SayAsync(e.RoomId, MessageContent.NotBridged(BotTexts.NotBridged(reason), e.EventId, e.Sender));
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
