using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.Shared.Bridges;

/// <summary>What a bridge bot's message means to the gateway (docs/bridge.md#answers).</summary>
public enum BotAnswerKind
{
    /// <summary>Nothing the gateway acts on (help texts, welcome, list-logins, …).</summary>
    Other,
    /// <summary><c>start-chat</c> found the chat: <see cref="BotAnswer.RoomId"/> is its portal.</summary>
    ChatReady,
    /// <summary><c>start-chat</c> could not resolve the identifier.</summary>
    ChatFailed,
    /// <summary><c>join</c> joined the group <see cref="BotAnswer.GroupId"/>; its portal invite follows.</summary>
    GroupJoined,
    /// <summary><c>join</c> failed, or the link is invalid (any other "Failed…" or "Invalid…" text).</summary>
    GroupFailed,
    /// <summary>A login QR code (<see cref="BotAnswer.QrCode"/>), or a refreshed one (an edit of the first).</summary>
    QrCode,
    /// <summary>A login succeeded: <see cref="BotAnswer.DeviceId"/> is the phone's number.</summary>
    LoggedIn,
    /// <summary>A login could not start, or failed (timed out).</summary>
    LoginFailed,
}

/// <summary>
/// The one reader of the bot's texts, word for word as mautrix bridges write them. The SyncWorker reads QR codes and
/// login outcomes with it; the Api reads the answers to the commands it sent (relayed as plain bodies).
/// </summary>
public sealed partial record BotAnswer(BotAnswerKind Kind, string Body, string? RoomId = null, string? GroupId = null,
    string? DeviceId = null, string? QrCode = null, bool IsRefresh = false)
{
    // Room links come as matrix.to URLs, the room id either plain (!…) or percent-encoded (%21…).
    [GeneratedRegex(@"https://matrix\.to/#/(?<room>(?:!|%21)[^)\s/?]+)")]
    private static partial Regex RoomLink();

    [GeneratedRegex(@"^Successfully joined group `(?<jid>[^`]+)`")]
    private static partial Regex JoinedGroup();

    [GeneratedRegex(@"^Successfully logged in as \+?(?<number>[0-9]+)")]
    private static partial Regex LoggedIn();

    /// <summary>Reads a bot message's content: a QR image (or its edit), else its text.</summary>
    public static BotAnswer Read(JsonNode? content)
    {
        var isEdit = content?["m.relates_to"]?["rel_type"]?.GetValue<string>() == "m.replace";
        var image = isEdit ? content?["m.new_content"] : content;
        if (image?["msgtype"]?.GetValue<string>() == "m.image" && image["body"]?.GetValue<string>() is { Length: > 0 } code)
        {
            return new BotAnswer(BotAnswerKind.QrCode, code, QrCode: code, IsRefresh: isEdit);
        }
        return Read(content?["body"]?.GetValue<string>() ?? "");
    }

    /// <summary>Reads a bot message's text.</summary>
    public static BotAnswer Read(string body)
    {
        if (body.StartsWith("Created chat with", StringComparison.Ordinal) || body.StartsWith("You already have a direct chat", StringComparison.Ordinal))
        {
            return RoomLink().Matches(body).LastOrDefault() is { } link
                ? new BotAnswer(BotAnswerKind.ChatReady, body, RoomId: Uri.UnescapeDataString(link.Groups["room"].Value))
                : new BotAnswer(BotAnswerKind.Other, body);
        }
        if (body.StartsWith("Failed to resolve identifier", StringComparison.Ordinal) || body.StartsWith("Identifier ", StringComparison.Ordinal))
        {
            return new BotAnswer(BotAnswerKind.ChatFailed, body);
        }
        if (JoinedGroup().Match(body) is { Success: true } joined)
        {
            return new BotAnswer(BotAnswerKind.GroupJoined, body, GroupId: joined.Groups["jid"].Value);
        }
        if (LoggedIn().Match(body) is { Success: true } success)
        {
            return new BotAnswer(BotAnswerKind.LoggedIn, body, DeviceId: success.Groups["number"].Value);
        }
        if (body.StartsWith("Login failed:", StringComparison.Ordinal) || body.StartsWith("Failed to start login:", StringComparison.Ordinal))
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
