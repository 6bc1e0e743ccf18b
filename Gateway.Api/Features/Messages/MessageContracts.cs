using System.Text.Json.Serialization;

namespace Gateway.Api.Features.Messages;

/// <summary>The JSON form of a send; multipart carries the same fields plus <c>file</c>.</summary>
/// <summary><c>group_id</c>: a group's <c>chat.id</c> from a webhook payload, for a group whose invite link the caller does not have.</summary>
public sealed record SendMessageRequest(string? Contact = null, string? GroupUrl = null, [property: System.ComponentModel.DataAnnotations.Required] string? Platform = null, string? Text = null, string? ReplyId = null, string? GroupId = null);

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

public sealed record MessageStatusView(string MessageId, string DeviceId, string Recipient, string Status, string? Error, DateTime SentAt, DateTime UpdatedAt);

/// <summary>What the OpenAPI document shows for each operation.</summary>
internal static class MessageExamples
{
    public static readonly SendMessageRequest Send = new("1234567890, 0987654321", null, "wa", "Hello from API", null);
    public static readonly MessageSent Sent = new("Message sent successfully",
        [RecipientResult.Sent("1234567890", "$Xk1_4nL0cQ2m9Zr7bV3pT8sW6yA5dE0fG1hJ2kL3mN4"), RecipientResult.Failed("0987654321", "The bridge did not answer in time")]);
    public static readonly MessageStatusView Status = new("$Xk1_4nL0cQ2m9Zr7bV3pT8sW6yA5dE0fG1hJ2kL3mN4", "wa-5511999999999", "1234567890", "read", null,
        new DateTime(2026, 4, 27, 10, 0, 0, DateTimeKind.Utc), new DateTime(2026, 4, 27, 10, 0, 9, DateTimeKind.Utc));
}
