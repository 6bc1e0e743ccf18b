using Gateway.Shared.Events;

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
    /// <summary>The kinds of event it receives (<see cref="EventKinds"/>); <c>*</c> for all.</summary>
    public List<string> Events { get; set; } = [.. EventKinds.Default];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Since when every attempt has failed (timeouts, 5xx, network errors); null while the receiver answers.</summary>
    public DateTime? FailingSince { get; set; }
    /// <summary>The circuit: while in the future, none of the webhook's deliveries is attempted.</summary>
    public DateTime? PausedUntil { get; set; }
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
    /// What is POSTed, shared with the message's other deliveries; null once the delivery is settled (delivered or
    /// given up): nothing sends it again, and the payload, which may carry a whole file, is removed when no delivery needs it.
    /// </summary>
    public long? PayloadId { get; set; }
    public DeliveryPayload? Payload { get; set; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    /// <summary>When the next attempt is due; while an attempt is in flight, when its lease runs out.</summary>
    public DateTime? NextAttemptAt { get; set; }
    /// <summary>The SyncWorker replica whose attempt holds the lease: a replica gone (killed) holds it no longer.</summary>
    public string? LeasedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
}

/// <summary>
/// One incoming message's webhook body, exactly as signed and POSTed. Stored once per identity and event, however many
/// webhooks receive it (docs/api.md#limits): an incoming file's base64 is not copied per webhook.
/// </summary>
public sealed class DeliveryPayload
{
    public long Id { get; set; }
    public int IdentityId { get; set; }
    public MatrixIdentity Identity { get; set; } = null!;
    public required string EventId { get; set; }
    /// <summary>The JSON body as UTF-8, byte for byte what is signed and POSTed (a file's base64 is written straight into it).</summary>
    public required byte[] Body { get; set; }
    /// <summary>The body's length, known without reading it: claims keep the payloads one worker holds at once within a budget.</summary>
    public int Size { get; set; }
    /// <summary>The W3C trace context of the event's storing: its deliveries' POSTs continue that trace.</summary>
    public string? TraceParent { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>Pending until delivered, or failed for good (a final answer, or the retry window ran out).</summary>
public enum DeliveryStatus
{
    Pending,
    Delivered,
    Failed,
}
