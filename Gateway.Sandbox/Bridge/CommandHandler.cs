using System.Text.Json.Nodes;
using Gateway.Sandbox.Matrix;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// The bot's commands, answered as mautrix-whatsapp (bridgev2) answers them. <c>start-chat</c>, <c>pm</c> and
/// <c>join</c> take an optional login id first, like bridgev2's <c>[login ID] &lt;identifier&gt;</c>; without it the
/// user's first login is used.
/// </summary>
public sealed class CommandHandler(FailureSwitches switches, ILogger<CommandHandler> logger)
{
    private static readonly char[] Whitespace = [' ', '\t', '\n', '\r'];

    public async Task HandleAsync(PlatformBridge bridge, MatrixEvent command, string text)
    {
        var words = text.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return;
        }
        if (switches.BotDelayMs > 0)
        {
            await Task.Delay(switches.BotDelayMs);
        }
        var name = words[0].ToLowerInvariant();
        var args = words[1..];
        logger.LogInformation("{Platform} command {Command} from {User} in {RoomId}", bridge.Platform.Name, name, command.Sender, command.RoomId);
        var reply = name switch
        {
            "help" => Reply(BotTexts.Help),
            "login" => Login(bridge, command, args),
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

    private JsonObject? Login(PlatformBridge bridge, MatrixEvent command, string[] args)
    {
        if (args.Length == 0)
        {
            return Reply(BotTexts.ChooseLoginFlow);
        }
        if (!args[0].Equals("qr", StringComparison.OrdinalIgnoreCase))
        {
            return Reply(BotTexts.InvalidLoginFlow(args[0]));
        }
        if (switches.TakeFailure())
        {
            return Reply(BotTexts.FailedToStartLogin(FailureSwitches.SimulatedFailure));
        }
        bridge.QrLogins.Start(command.Sender, command.RoomId); // posts its own notices and QR
        return null;
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
        var mine = bridge.Logins.All.Where(l => l.UserId == userId).Select(l => BotTexts.LoginListItem(l.DeviceId)).ToList();
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
        var identifier = string.Join(' ', rest);
        var digits = PhoneNumbers.Normalise(identifier, bridge.Platform.Options.ContactIdSuffix);
        if (digits is null)
        {
            return Reply(BotTexts.FailedToResolve(BotTexts.InvalidPhoneNumber));
        }
        if (!switches.IsOnNetwork(digits))
        {
            var (html, body) = BotTexts.IdentifierNotFound(identifier);
            return MessageContent.NoticeFromHtml(html, body);
        }
        var (portal, created) = await bridge.Portals.GetOrCreateContactAsync(login, digits);
        var ghost = bridge.Platform.GhostUserId(digits);
        if (created)
        {
            return Reply(BotTexts.CreatedChat(digits, "+" + digits, ghost, portal.Name, portal.RoomId));
        }
        await bridge.Portals.ReinviteUserAsync(portal);
        return Reply(BotTexts.AlreadyHaveChat(digits, "+" + digits, ghost, portal.Name, portal.RoomId));
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
            await bridge.Portals.ReinviteUserAsync(portal);
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
