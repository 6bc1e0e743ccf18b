using System.Text.Json.Serialization;

namespace Gateway.Api.Features.Messages;

/// <summary>The JSON form of a send; multipart carries the same fields plus <c>file</c>.</summary>
public sealed record SendMessageRequest(string? Contact, string? GroupUrl, string? Platform, string? Text, string? ReplyId);

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
