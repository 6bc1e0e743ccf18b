namespace Gateway.Data;

/// <summary>Where a token's incoming messages are POSTed. Tied to the token: deleting the token deletes it.</summary>
public sealed class Webhook
{
    public int Id { get; set; }
    public int TokenId { get; set; }
    public ApiToken Token { get; set; } = null!;
    public required string Url { get; set; }
    /// <summary>The signing secret, encrypted with <see cref="SecretBox"/>: the worker must read it again to sign.</summary>
    public required byte[] SecretCipher { get; set; }
    public bool Active { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public enum DeliveryStatus
{
    Pending,
    Delivered,
    Failed,
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

/// <summary>Webhook settings shared by the Api (URL rule) and the SyncWorker (delivery). Section <c>Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Allows receivers on loopback, private, link-local and metadata addresses (local development only).</summary>
    public bool AllowPrivateNetworks { get; set; }
    /// <summary>How long one POST may take, connection included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>POSTs in flight at once across all webhooks of this worker.</summary>
    public int MaxConcurrency { get; set; } = 32;
    /// <summary>POSTs in flight at once to one webhook (one per room at most), so one slow receiver cannot take every slot.</summary>
    public int MaxConcurrencyPerWebhook { get; set; } = 4;
    /// <summary>The first retry's delay; each further retry doubles it, up to <see cref="RetryMaxDelay"/>, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>A delivery still failing this long after it was created is given up.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);
    /// <summary>How often the worker looks for due deliveries when no notice wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>How long after being recorded a delivered or given-up delivery stays listed (<c>GET …/deliveries</c>) before it is removed.</summary>
    public TimeSpan KeepSettledFor { get; set; } = TimeSpan.FromDays(7);
    /// <summary>How often the worker gives up deliveries past the retry window and removes settled ones past <see cref="KeepSettledFor"/>.</summary>
    public TimeSpan TidyInterval { get; set; } = TimeSpan.FromMinutes(1);
}
