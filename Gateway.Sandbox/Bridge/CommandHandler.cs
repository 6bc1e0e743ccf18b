using System.Text.Json.Nodes;
using Gateway.Sandbox.Matrix;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// The bot's commands, answered as mautrix-whatsapp (bridgev2) answers them. <c>start-chat</c>, <c>pm</c>,
/// <c>resolve-identifier</c> and <c>join</c> take an optional login id first, like bridgev2's
/// <c>[login ID] &lt;identifier&gt;</c>; without it the user's first login is used.
/// </summary>
public sealed class CommandHandler(FailureSwitches switches, LoginCommand loginCommand, ResolveIdentifierCommand resolveIdentifier,
    ILogger<CommandHandler> logger)
{
    private static readonly char[] Whitespace = [' ', '\t', '\n', '\r'];
    private static readonly HashSet<string> Commands = ["help", "login", "logout", "list-logins", "start-chat", "pm", ResolveIdentifierCommand.Name, "join", "cancel"];

    public async Task HandleAsync(PlatformBridge bridge, MatrixEvent command, string text)
    {
        var words = text.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return;
        }
        if (switches.TakeLateAnswer() is > 0 and var lateMs)
        {
            // Handled in the background: the commands after this one are answered first, as from a bridge that got
            // stuck on this one. Nothing in the answer says which command it was for.
            _ = AnswerLateAsync(bridge, command, text, words, lateMs);
            return;
        }
        if (switches.BotDelayMs > 0)
        {
            await Task.Delay(switches.BotDelayMs);
        }
        await AnswerAsync(bridge, command, text, words);
    }

    private async Task AnswerLateAsync(PlatformBridge bridge, MatrixEvent command, string text, string[] words, int lateMs)
    {
        try
        {
            await Task.Delay(lateMs);
            await AnswerAsync(bridge, command, text, words);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Late answer to {EventId} in {RoomId} failed", command.EventId, command.RoomId);
        }
    }

    private async Task AnswerAsync(PlatformBridge bridge, MatrixEvent command, string text, string[] words)
    {
        var name = words[0].ToLowerInvariant();
        var args = words[1..];
        logger.LogInformation("{Platform} command {Command} from {User} in {RoomId}", bridge.Platform.Name, name, command.Sender, command.RoomId);
        // Like bridgev2's command state: what is not a command answers the bot's open question.
        var reply = !Commands.Contains(name) && bridge.PairingLogins.IsAwaitingNumber(command.Sender)
            ? loginCommand.SubmitNumber(bridge, command, text, afterPrompt: true)
            : name switch
            {
                "help" => Reply(BotTexts.Help),
                "login" => loginCommand.Start(bridge, command, args),
                "cancel" => LoginCommand.Cancel(bridge, command.Sender),
                "logout" => Reply(Logout(bridge, command.Sender, args)),
                "list-logins" => Reply(ListLogins(bridge, command.Sender)),
                "start-chat" or "pm" or ResolveIdentifierCommand.Name => await resolveIdentifier.AnswerAsync(bridge, command.Sender, name, args),
                "join" => await JoinAsync(bridge, command, args),
                _ => Reply(BotTexts.UnknownCommand),
            };
        if (reply is not null)
        {
            await bridge.SayAsync(command.RoomId, reply);
        }
    }

    private static string Logout(PlatformBridge bridge, string userId, string[] args)
    {
        if (args.Length == 0)
        {
            return BotTexts.LogoutUsage;
        }
        return bridge.Logins.Remove(args[0], userId) ? BotTexts.LoggedOut : BotTexts.LoginNotFound(args[0]);
    }

    private static string ListLogins(PlatformBridge bridge, string userId)
    {
        var mine = bridge.Logins.All.Where(l => l.UserId == userId).Select(l => BotTexts.LoginListItem(l.DeviceId, l.State)).ToList();
        return mine.Count == 0 ? BotTexts.NotLoggedIn : string.Join("\n", mine);
    }

    /// <summary>Answers first, then creates the portal and invites the user, in the order mautrix-whatsapp does.</summary>
    private async Task<JsonObject?> JoinAsync(PlatformBridge bridge, MatrixEvent command, string[] args)
    {
        if (args.Length == 0)
        {
            return Reply(BotTexts.JoinUsage);
        }
        var (login, rest) = bridge.Logins.ChooseFor(command.Sender, args);
        if (login is null)
        {
            return Reply(BotTexts.RequiresLogin);
        }
        if (switches.TakeFailure())
        {
            return Reply(BotTexts.FailedToJoin(FailureSwitches.SimulatedFailure));
        }
        var code = GroupDirectory.InviteCode(bridge.Platform, rest.Length == 1 ? rest[0] : string.Join(' ', rest));
        if (code is null)
        {
            return Reply(BotTexts.FailedToJoin(BotTexts.InvalidInviteLink));
        }
        var group = GroupDirectory.FromInviteCode(code);
        await bridge.SayAsync(command.RoomId, Reply(BotTexts.JoinedGroup(bridge.Platform.GroupChatId(group.GroupId))));
        var (portal, created) = await bridge.Portals.GetOrCreateGroupAsync(login, group);
        if (!created)
        {
            await bridge.Portals.ReinviteOwnerAsync(portal);
        }
        return null;
    }

    private static JsonObject Reply(string markdown) => MessageContent.Notice(markdown);
}
