using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace Gateway.Api.Features.Messages;

/// <summary>
/// The JSON form of a send; multipart carries the same fields (but <c>location</c>) plus <c>file</c>. <c>group_id</c>: a
/// group's <c>chat.id</c> from a webhook payload, for a group whose invite link the caller does not have.
/// </summary>
public sealed record SendMessageRequest(string? Contact = null, string? GroupUrl = null, [property: Required] string? Platform = null, string? Text = null,
    string? ReplyId = null, string? GroupId = null, SendLocation? Location = null, bool? Voice = null)
{
    /// <summary>A Matrix event is at most 64 KiB: the text leaves room for the rest of it.</summary>
    public const int MaxTextBytes = 60_000;

    /// <summary>The recipients: the first list given wins, group_url, then group_id, then contact.</summary>
    public (RecipientKind Kind, List<string> Recipients) RecipientList() =>
        Recipients.Parse(GroupUrl) is { Count: > 0 } groupUrls ? (RecipientKind.GroupUrl, groupUrls)
        : Recipients.Parse(GroupId) is { Count: > 0 } groupIds ? (RecipientKind.GroupId, groupIds)
        : (RecipientKind.Contact, Recipients.Parse(Contact));

    public string? ReplyTo => string.IsNullOrWhiteSpace(ReplyId) ? null : ReplyId;

    /// <summary>Why the send cannot go as asked (the 400's message), checked in the order the seed's clients know; null when it can.</summary>
    public string? Problem(OutgoingFile? file) => RecipientList().Recipients.Count switch
    {
        0 => "Either contact or group_url must be provided",
        > Recipients.Max => $"Too many recipients: at most {Recipients.Max}",
        _ when Location is not null && (!string.IsNullOrEmpty(Text) || file is not null) => "A location is sent alone: without text or file",
        _ when Location is not null => Location.Problem,
        _ when string.IsNullOrEmpty(Text) && file is null => "Either text or file must be provided",
        _ when file is { HasExtension: false } => "Uploaded file must have a file extension",
        _ when file is { HasValidMimeType: false } => $"Invalid file content type: {file.MimeType}",
        _ when Voice == true && (file is null || !NetworkMedia.CanBeVoice(file.MimeType)) => "A voice note needs an Ogg Opus audio file (.ogg or .opus)",
        _ when Text is { } text && Encoding.UTF8.GetByteCount(text) > MaxTextBytes => $"Text is too long: at most {MaxTextBytes} bytes",
        _ => null,
    };
}

/// <summary>A location to send: coordinates in degrees and an optional name shown with the pin.</summary>
public sealed record SendLocation(double? Latitude, double? Longitude, string? Name = null)
{
    public const int MaxNameLength = 1000;

    public string? Problem =>
        Latitude is not (>= -90 and <= 90) || Longitude is not (>= -180 and <= 180)
            ? "Invalid location: latitude must be between -90 and 90 and longitude between -180 and 180"
        : Name?.Length > MaxNameLength ? $"Location name is too long: at most {MaxNameLength} characters"
        : null;
}

/// <summary>A reaction to a message: one emoji, or <c>""</c> to take the caller's reaction back.</summary>
public sealed record ReactionRequest(string? Reaction)
{
    public string? Problem =>
        Reaction is null ? "Missing required field: reaction"
        : Reaction.Length > 0 && !IsOneEmoji(Reaction) ? "reaction must be one emoji, or \"\" to take the reaction back"
        : null;

    /// <summary>One grapheme (an emoji with its modifiers and joiners is one) that is no letter, digit, space or punctuation.</summary>
    private static bool IsOneEmoji(string text) =>
        new StringInfo(text).LengthInTextElements == 1
        && Rune.GetRuneAt(text, 0) is var first
        && (!Rune.IsLetterOrDigit(first) || text.Contains('\u20E3')) // a keycap (1️⃣) starts with its digit
        && !Rune.IsWhiteSpace(first) && !Rune.IsControl(first) && !Rune.IsPunctuation(first);
}

/// <summary>A message's new text.</summary>
public sealed record EditRequest(string? Text)
{
    public string? Problem =>
        string.IsNullOrEmpty(Text) ? "Missing required field: text"
        : Encoding.UTF8.GetByteCount(Text) > SendMessageRequest.MaxTextBytes ? $"Text is too long: at most {SendMessageRequest.MaxTextBytes} bytes"
        : null;
}

public sealed record RecipientResult(
    string Recipient,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MessageId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null)
{
    public static RecipientResult Sent(string recipient, string eventId) => new(recipient, "sent", MessageId: eventId);
    public static RecipientResult Failed(string recipient, string error) => new(recipient, "failed", Error: error);
}

public sealed record MessageSent(string Message, IReadOnlyList<RecipientResult> Results);

/// <summary>A 502 when no recipient got the message: the problem fields plus the per-recipient results.</summary>
public sealed record MessageNotSent(string Type, string Title, int Status, string Detail, string Error, string TraceId, IReadOnlyList<RecipientResult> Results);

/// <summary>A chat as webhook payloads name it: <c>type</c> <c>contact</c> or <c>group</c>, and the <c>id</c> a send takes back.</summary>
public sealed record ChatView(string Type, string Id);

/// <summary>What became of a message sent through the API, and the chat it went to.</summary>
public sealed record MessageStatusView(string MessageId, string DeviceId, ChatView? Chat, string Recipient, string Status, string? Error, DateTime SentAt,
    DateTime UpdatedAt);

/// <summary>An action's answer: what was done, and the Matrix event that did it (none when there was nothing to do).</summary>
public sealed record MessageActionDone(string Message, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EventId = null);

/// <summary>What the OpenAPI document shows for each operation.</summary>
internal static class MessageExamples
{
    private const string MessageId = "$Xk1_4nL0cQ2m9Zr7bV3pT8sW6yA5dE0fG1hJ2kL3mN4";

    public static readonly SendMessageRequest Send = new("1234567890, 0987654321", null, "wa", "Hello from API", null);
    public static readonly MessageSent Sent = new("Message sent successfully",
        [RecipientResult.Sent("1234567890", MessageId), RecipientResult.Failed("0987654321", "The bridge did not answer in time")]);
    public static readonly MessageStatusView Status = new(MessageId, "wa-5511999999999", new ChatView("contact", "1234567890@s.whatsapp.net"), "1234567890", "read", null,
        new DateTime(2026, 4, 27, 10, 0, 0, DateTimeKind.Utc), new DateTime(2026, 4, 27, 10, 0, 9, DateTimeKind.Utc));
    public static readonly ReactionRequest React = new("👍");
    public static readonly EditRequest Edit = new("Hello again, corrected");
    public static readonly MessageActionDone Reacted = new("Reaction sent", "$rE4c7_9Qm2nL0cX1kZ8bV3pT6sW5yA4dE0fG1hJ2kL");
    public static readonly MessageActionDone Edited = new("Message edited", "$eD1t_4nL0cQ2m9Zr7bV3pT8sW6yA5dE0fG1hJ2kL3mN");
    public static readonly MessageActionDone Deleted = new("Message deleted", "$dE1_4nL0cQ2m9Zr7bV3pT8sW6yA5dE0fG1hJ2kL3mN4x");
    public static readonly MessageActionDone Read = new("Chat marked read");
}
