using System.Text.Json.Nodes;
using Gateway.Sandbox.Matrix;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// The bot's commands, answered as mautrix-whatsapp (bridgev2) answers them. <c>start-chat</c>, <c>pm</c> and
/// <c>join</c> take an optional login id first, like bridgev2's <c>[login ID] &lt;identifier&gt;</c>; without it the
/// user's first login is used.
/// </summary>
public sealed class CommandHandler(FailureSwitches switches, LoginCommand loginCommand, ILogger<CommandHandler> logger)
{
    private static readonly char[] Whitespace = [' ', '\t', '\n', '\r'];
    private static readonly HashSet<string> Commands = ["help", "login", "logout", "list-logins", "start-chat", "pm", "join", "cancel"];

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
                "start-chat" or "pm" => await StartChatAsync(bridge, command.Sender, name, args),
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

    private async Task<JsonObject> StartChatAsync(PlatformBridge bridge, string userId, string name, string[] args)
    {
        if (args.Length == 0)
        {
            return Reply(BotTexts.StartChatUsage(name));
        }
        var (login, rest) = ChooseLogin(bridge, userId, args);
        if (login is null)
        {
            return Reply(BotTexts.RequiresLogin);
        }
        if (switches.TakeFailure())
        {
            return Reply(BotTexts.FailedToResolve(FailureSwitches.SimulatedFailure));
        }
        var platform = bridge.Platform;
        var identifier = string.Join(' ', rest);
        var digits = PhoneNumbers.Normalise(identifier, platform.Options.ContactIdSuffix);
        if (digits is null)
        {
            return Reply(BotTexts.FailedToResolve(BotTexts.InvalidPhoneNumber));
        }
        if (!login.IsConnected)
        {
            return Reply(BotTexts.FailedToResolve(BotTexts.NotLoggedInReason));
        }
        if (!switches.IsOnNetwork(digits))
        {
            if (platform.Options.NotOnNetworkReason is { Length: > 0 } reason)
            {
                return Reply(BotTexts.FailedToResolve(BotTexts.NotOnNetwork(reason, digits)));
            }
            var (html, body) = BotTexts.IdentifierNotFound(identifier);
            return MessageContent.NoticeFromHtml(html, body);
        }
        // The contact is named by its network id (a LID on WhatsApp), not by the number that was asked for.
        var (portal, created) = await bridge.Portals.GetOrCreateContactAsync(login, digits);
        var (contactId, ghost) = (platform.ContactId(digits), platform.ContactGhostUserId(digits));
        if (created)
        {
            return Reply(BotTexts.CreatedChat(contactId, "+" + digits, ghost, portal.Name, portal.RoomId));
        }
        await bridge.Portals.ReinviteOwnerAsync(portal);
        return Reply(BotTexts.AlreadyHaveChat(contactId, "+" + digits, ghost, portal.Name, portal.RoomId));
    }

    /// <summary>Answers first, then creates the portal and invites the user, in the order mautrix-whatsapp does.</summary>
    private async Task<JsonObject?> JoinAsync(PlatformBridge bridge, MatrixEvent command, string[] args)
    {
        if (args.Length == 0)
        {
            return Reply(BotTexts.JoinUsage);
        }
        var (login, rest) = ChooseLogin(bridge, command.Sender, args);
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

    /// <summary>bridgev2's rule: the first argument is a login id if it names one of the user's logins.</summary>
    private static (Login? Login, string[] Remaining) ChooseLogin(PlatformBridge bridge, string userId, string[] args) =>
        args.Length > 1 && bridge.Logins.FindOwned(args[0], userId) is { } named
            ? (named, args[1..])
            : (bridge.Logins.DefaultOf(userId), args);

    private static JsonObject Reply(string markdown) => MessageContent.Notice(markdown);
}
