using System.Text.Json.Nodes;
using Gateway.Sandbox.Matrix;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// <c>start-chat</c> (alias <c>pm</c>) and <c>resolve-identifier</c>: one handler in bridgev2 (commands/startchat.go
/// fnResolveIdentifier), which only the first two let create the portal. The checks are mautrix-whatsapp's
/// validateIdentifer, in its order: not a number at all, then not logged in, then what the server says.
/// </summary>
public sealed class ResolveIdentifierCommand(FailureSwitches switches)
{
    public const string Name = "resolve-identifier";

    public async Task<JsonObject> AnswerAsync(PlatformBridge bridge, string userId, string command, string[] args)
    {
        if (args.Length == 0)
        {
            return Reply(BotTexts.StartChatUsage(command));
        }
        var (login, rest) = bridge.Logins.ChooseFor(userId, args);
        if (login is null)
        {
            return Reply(BotTexts.RequiresLogin);
        }
        if (switches.TakeFailure())
        {
            return Reply(BotTexts.FailedToResolve(FailureSwitches.SimulatedFailure));
        }
        var identifier = string.Join(' ', rest);
        var (digits, refusal) = Validate(bridge, login, identifier);
        if (refusal is not null)
        {
            return refusal;
        }
        return command == Name ? Found(bridge, digits!) : await StartChatAsync(bridge, login, digits!);
    }

    private (string? Digits, JsonObject? Refusal) Validate(PlatformBridge bridge, Login login, string identifier)
    {
        var options = bridge.Platform.Options;
        var number = PhoneNumbers.WithoutSuffix(identifier, options.ContactIdSuffix);
        if (options.NotAPhoneNumberReason.Length > 0 && PhoneNumbers.LooksLikeEmail(number))
        {
            return (null, Reply(BotTexts.FailedToResolve(options.NotAPhoneNumberReason)));
        }
        if (!login.IsConnected)
        {
            return (null, Reply(BotTexts.FailedToResolve(BotTexts.NotLoggedInReason)));
        }
        var digits = PhoneNumbers.Normalise(number);
        if (digits is not null && switches.IsOnNetwork(digits))
        {
            return (digits, null);
        }
        // WhatsApp asks its server about anything that is not a name: a malformed number is one nobody has.
        if (options.NotOnNetworkReason.Length > 0)
        {
            var asked = digits ?? PhoneNumbers.WithoutSeparators(number);
            return (null, Reply(BotTexts.FailedToResolve(BotTexts.NotOnNetwork(options.NotOnNetworkReason, asked))));
        }
        if (digits is null)
        {
            return (null, Reply(BotTexts.FailedToResolve(BotTexts.InvalidPhoneNumber)));
        }
        var (html, body) = BotTexts.IdentifierNotFound(identifier);
        return (null, MessageContent.NoticeFromHtml(html, body));
    }

    /// <summary>
    /// The contact is named by its network id (a LID on WhatsApp) and its ghost, under the name the bridge knows it
    /// by: none yet for a contact it never met, as bridgev2 makes the ghost only now.
    /// </summary>
    private static JsonObject Found(PlatformBridge bridge, string digits)
    {
        var platform = bridge.Platform;
        var contactId = platform.ContactId(digits);
        var knownByPortal = bridge.Portals.All.Any(p => p.Kind == ChatKind.Contact && p.RemoteId == digits);
        var name = bridge.Ghosts.NameOf(contactId) ?? (knownByPortal ? "+" + digits : "");
        return Reply(BotTexts.Found(contactId, name, platform.ContactGhostUserId(digits)));
    }

    private static async Task<JsonObject> StartChatAsync(PlatformBridge bridge, Login login, string digits)
    {
        var platform = bridge.Platform;
        var (portal, created) = await bridge.Portals.GetOrCreateContactAsync(login, digits);
        var (contactId, ghost) = (platform.ContactId(digits), platform.ContactGhostUserId(digits));
        if (created)
        {
            return Reply(BotTexts.CreatedChat(contactId, "+" + digits, ghost, portal.Name, portal.RoomId));
        }
        await bridge.Portals.ReinviteOwnerAsync(portal);
        return Reply(BotTexts.AlreadyHaveChat(contactId, "+" + digits, ghost, portal.Name, portal.RoomId));
    }

    private static JsonObject Reply(string markdown) => MessageContent.Notice(markdown);
}
