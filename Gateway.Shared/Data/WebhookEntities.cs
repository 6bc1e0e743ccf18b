namespace Gateway.Shared.Data;

/// <summary>Where a token's incoming messages are POSTed. Tied to the token: deleting the token deletes it.</summary>
public sealed class Webhook
{
    public int Id { get; set; }
    public int TokenId { get; set; }
    public ApiToken Token { get; set; } = null!;
    public required string Url { get; set; }
    /// <summary>The signing secret, encrypted with <see cref="Security.SecretBox"/>: the worker must read it again to sign.</summary>
    public required byte[] SecretCipher { get; set; }
    public bool Active { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// The outbox: one incoming message for one webhook. Written in the same transaction as the sync token that
/// covers the message, so a message is either recorded for delivery or seen again after a crash.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public int WebhookId { get; set; }
    public Webhook Webhook { get; set; } = null!;
    /// <summary>The Matrix event id: <c>X-Gateway-Event-Id</c>, stable across retries, unique per webhook.</summary>
    public required string EventId { get; set; }
    /// <summary>Deliveries of one webhook and room go out in order.</summary>
    public required string RoomId { get; set; }
    /// <summary>
    /// The exact JSON body that is signed and POSTed; null once the delivery is settled (delivered or given up), as
    /// nothing sends it again and an incoming file's base64 would otherwise stay for as long as the row.
    /// </summary>
    public string? Payload { get; set; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    /// <summary>When the next attempt is due; while an attempt is in flight, when its lease runs out.</summary>
    public DateTime? NextAttemptAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
}

/// <summary>Pending until delivered, or failed for good (a final answer, or the retry window ran out).</summary>
public enum DeliveryStatus
{
    Pending,
    Delivered,
    Failed,
}
