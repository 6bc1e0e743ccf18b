using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Shared.Matrix;

namespace Gateway.Shared.Bridges;

/// <summary>What a bridge bot's message means to the gateway (docs/bridge.md#answers).</summary>
public enum BotAnswerKind
{
    /// <summary>Nothing the gateway acts on (help texts, welcome, list-logins, instructions, …).</summary>
    Other,
    /// <summary><c>start-chat</c> found the chat: <see cref="BotAnswer.RoomId"/> is its portal.</summary>
    ChatReady,
    /// <summary><c>start-chat</c> or <c>resolve-identifier</c> could not resolve the identifier.</summary>
    ChatFailed,
    /// <summary><c>resolve-identifier</c> found the contact <see cref="BotAnswer.ContactId"/> on the network.</summary>
    ContactFound,
    /// <summary><c>join</c> joined the group <see cref="BotAnswer.GroupId"/>; its portal invite follows.</summary>
    GroupJoined,
    /// <summary><c>join</c> failed, or the link is invalid (any other "Failed…" or "Invalid…" text).</summary>
    GroupFailed,
    /// <summary>The bot would not run the command at all (not logged in, unknown command, wrong usage).</summary>
    CommandRefused,
    /// <summary>A login QR code (<see cref="BotAnswer.Code"/>), or a refreshed one (an edit of the first).</summary>
    QrCode,
    /// <summary>A pairing code to type on the phone (<see cref="BotAnswer.Code"/>, <c>ABCD-EFGH</c>).</summary>
    PairingCode,
    /// <summary>A login succeeded: <see cref="BotAnswer.DeviceId"/> is the phone's number.</summary>
    LoggedIn,
    /// <summary>A login could not start, or failed (timed out).</summary>
    LoginFailed,
    /// <summary>The phone unlinked <see cref="BotAnswer.DeviceId"/>; <see cref="BotAnswer.Body"/> is the bridge's explanation.</summary>
    LoggedOutByPhone,
    /// <summary><c>logout</c> logged the login out (bridgev2: <c>Logged out</c>).</summary>
    LoggedOut,
    /// <summary><c>logout</c> found no such login of this user (never linked, moved to another user, or logged out before).</summary>
    LoginNotFound,
}

/// <summary>
/// The one reader of the bot's texts, word for word as mautrix bridges write them. The SyncWorker reads every bot
/// message with it and relays the answers to commands to the Api, tagged with the command they answer.
/// </summary>
public sealed partial record BotAnswer(BotAnswerKind Kind, string Body, string? RoomId = null, string? ContactId = null,
    string? GroupId = null, string? DeviceId = null, string? Code = null, bool IsRefresh = false)
{
    /// <summary>The commands the gateway waits on an answer to, as the worker tags answers with them.</summary>
    public const string StartChat = "start-chat", Join = "join", Logout = "logout", ResolveIdentifier = "resolve-identifier";

    /// <summary>
    /// An awaited command's id: <c>&lt;kind&gt;:&lt;unique&gt;[:&lt;subject&gt;]</c>, the subject being what the command
    /// is about when its answer does not say (the device a logout is for).
    /// </summary>
    public static string CommandId(string kind, string? subject = null) =>
        subject is null ? $"{kind}:{Guid.NewGuid():N}" : $"{kind}:{Guid.NewGuid():N}:{subject}";

    /// <summary>The subject of an awaited command's id, if it has one.</summary>
    public static string? SubjectOf(string commandId) => commandId.Split(':', 3) is [_, _, var subject] ? subject : null;

    /// <summary>The awaited commands this message can be the answer to; empty when it answers none.</summary>
    public IReadOnlyList<string> Answers => Kind switch
    {
        BotAnswerKind.ChatReady => [StartChat],
        BotAnswerKind.ChatFailed => [StartChat, ResolveIdentifier],
        BotAnswerKind.ContactFound => [ResolveIdentifier],
        BotAnswerKind.GroupJoined or BotAnswerKind.GroupFailed => [Join],
        BotAnswerKind.LoggedOut or BotAnswerKind.LoginNotFound => [Logout],
        BotAnswerKind.CommandRefused => [StartChat, Join, Logout, ResolveIdentifier],
        _ => [],
    };

    // bridgev2's login texts (mautrix/go bridgev2/commands/login.go), failures of a login whatever the step.
    private static readonly string[] LoginFailures =
        ["Login failed:", "Failed to start login:", "Invalid login flow", "Failed to submit input:", "Invalid value",
         "Failed to prepare login process:", "Failed to send QR code:"];

    // Links come as matrix.to URLs, the room id either plain (!…) or percent-encoded (%21…).
    [GeneratedRegex(@"https://matrix\.to/#/(?<room>(?:!|%21)[^)\s/?]+)")]
    private static partial Regex RoomLink();

    // The contact's network id comes first, in a code span, before anything the contact chose (its name) can appear.
    [GeneratedRegex(@"^(?:Created chat with|You already have a direct chat with|Found) `(?<id>[^`]+)`")]
    private static partial Regex ChatContact();

    [GeneratedRegex(@"^Successfully joined group `(?<jid>[^`]+)`")]
    private static partial Regex JoinedGroup();

    [GeneratedRegex(@"^Login `(?<id>[^`]+)` not found$")]
    private static partial Regex LoginNotFound();

    [GeneratedRegex(@"^Successfully logged in as \+?(?<number>[0-9]+)")]
    private static partial Regex LoggedIn();

    // bridgev2's pairing code notice: the code alone, in a code span (WhatsApp's alphabet has no 0, I, O or U).
    [GeneratedRegex(@"^`(?<code>[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4})`$")]
    private static partial Regex PairingCode();

    // bridgev2's state notice for a login the phone unlinked: "State update for +<number>: `BAD_CREDENTIALS` (`<code>`): <why>".
    [GeneratedRegex(@"^State update for \+?(?<number>[0-9]+): `BAD_CREDENTIALS`(?: \(`[^`]*`\))?: (?<why>.+)$", RegexOptions.Singleline)]
    private static partial Regex LoggedOutByPhone();

    /// <summary>Reads a bot message's content: a QR image (or its edit), else its text. Content of any other shape is <see cref="BotAnswerKind.Other"/>.</summary>
    public static BotAnswer Read(JsonNode? content)
    {
        var isEdit = EventJson.String(EventJson.At(content, "m.relates_to", "rel_type")) == "m.replace";
        var image = isEdit ? EventJson.At(content, "m.new_content") : content;
        if (EventJson.String(EventJson.At(image, "msgtype")) == "m.image" && EventJson.String(EventJson.At(image, "body")) is { Length: > 0 } code)
        {
            return new BotAnswer(BotAnswerKind.QrCode, code, Code: code, IsRefresh: isEdit);
        }
        return Read(EventJson.String(EventJson.At(content, "body")) ?? "");
    }

    /// <summary>Reads a bot message's text.</summary>
    public static BotAnswer Read(string body)
    {
        if (body.StartsWith("Created chat with", StringComparison.Ordinal) || body.StartsWith("You already have a direct chat", StringComparison.Ordinal))
        {
            var contactId = ChatContact().Match(body) is { Success: true } contact ? contact.Groups["id"].Value : null;
            // The room link is the last one: the names before it cannot push a link after it.
            return RoomLink().Matches(body).LastOrDefault() is { } link
                ? new BotAnswer(BotAnswerKind.ChatReady, body, RoomId: Uri.UnescapeDataString(link.Groups["room"].Value), ContactId: contactId)
                : new BotAnswer(BotAnswerKind.Other, body);
        }
        if (body.StartsWith("Found `", StringComparison.Ordinal)) // resolve-identifier: "Found `<id>` / [<name>](<ghost's link>)"
        {
            return new BotAnswer(BotAnswerKind.ContactFound, body, ContactId: ChatContact().Match(body).Groups["id"].Value);
        }
        if (body.StartsWith("Failed to resolve identifier", StringComparison.Ordinal) || body.StartsWith("Identifier ", StringComparison.Ordinal))
        {
            return new BotAnswer(BotAnswerKind.ChatFailed, body);
        }
        if (body.StartsWith("That command requires you to be logged in", StringComparison.Ordinal)
            || body.StartsWith("Unknown command", StringComparison.Ordinal) || body == "Login not found"
            || body.StartsWith("Usage:", StringComparison.Ordinal) || body.StartsWith("**Usage:**", StringComparison.Ordinal))
        {
            return new BotAnswer(BotAnswerKind.CommandRefused, body);
        }
        if (body == "Logged out")
        {
            return new BotAnswer(BotAnswerKind.LoggedOut, body);
        }
        if (LoginNotFound().Match(body) is { Success: true } notFound)
        {
            return new BotAnswer(BotAnswerKind.LoginNotFound, body, DeviceId: notFound.Groups["id"].Value);
        }
        if (JoinedGroup().Match(body) is { Success: true } joined)
        {
            return new BotAnswer(BotAnswerKind.GroupJoined, body, GroupId: joined.Groups["jid"].Value);
        }
        if (LoggedIn().Match(body) is { Success: true } success)
        {
            return new BotAnswer(BotAnswerKind.LoggedIn, body, DeviceId: success.Groups["number"].Value);
        }
        if (PairingCode().Match(body) is { Success: true } pairing)
        {
            return new BotAnswer(BotAnswerKind.PairingCode, body, Code: pairing.Groups["code"].Value);
        }
        if (LoggedOutByPhone().Match(body) is { Success: true } loggedOut)
        {
            return new BotAnswer(BotAnswerKind.LoggedOutByPhone, loggedOut.Groups["why"].Value.Trim(), DeviceId: loggedOut.Groups["number"].Value);
        }
        if (LoginFailures.Any(prefix => body.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return new BotAnswer(BotAnswerKind.LoginFailed, body);
        }
        // "Failed to join group: …", and whatever else fails (the only command left that answers so is join).
        if (body.StartsWith("Failed", StringComparison.Ordinal) || body.StartsWith("Invalid", StringComparison.Ordinal))
        {
            return new BotAnswer(BotAnswerKind.GroupFailed, body);
        }
        return new BotAnswer(BotAnswerKind.Other, body);
    }
}
