namespace Gateway.Shared.Webhooks;

/// <summary>Webhook settings shared by the Api (URL rule) and the SyncWorker (delivery). Section <c>Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>How many webhooks one token may have.</summary>
    public int MaxPerToken { get; set; } = 20;
    /// <summary>Allows receivers on loopback, private, link-local and metadata addresses (local development only).</summary>
    public bool AllowPrivateNetworks { get; set; }
    /// <summary>How long one POST may take, connection included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>POSTs in flight at once across all webhooks of this worker.</summary>
    public int MaxConcurrency { get; set; } = 32;
    /// <summary>POSTs in flight at once to one webhook (one per room at most), so one slow receiver cannot take every slot.</summary>
    public int MaxConcurrencyPerWebhook { get; set; } = 4;
    /// <summary>POSTs in flight at once for one identity's webhooks, so one tenant cannot take every slot from the others.</summary>
    public int MaxConcurrencyPerIdentity { get; set; } = 8;
    /// <summary>
    /// Payload bytes one worker holds for POSTs in flight: incoming files make payloads of up to ~34 MB, and
    /// <see cref="MaxConcurrency"/> of them at once would take gigabytes. One delivery always fits.
    /// </summary>
    public long MaxPayloadBytesInFlight { get; set; } = 64L * 1024 * 1024;
    /// <summary>A receiver failing without a break for this long is paused as a whole (its circuit opens)...</summary>
    public TimeSpan PauseAfterFailingFor { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>...for as long as it has been failing, at most this long, before one more attempt tests it.</summary>
    public TimeSpan MaxPause { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>The first retry's delay; each further retry doubles it, up to <see cref="RetryMaxDelay"/>, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>A delivery still failing this long after it was created is given up.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);
    /// <summary>
    /// How often the worker looks for due deliveries while some are pending that it cannot claim yet (a paused webhook, a
    /// room waiting behind its earliest), or when it hears no notices (Redis unreachable).
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// How long a worker that hears the notices waits with nothing due: until the next delivery falls due, a notice
    /// comes (a new delivery, an attempt ended), or this long (a notice lost while Redis restarted, a dead replica's claims).
    /// </summary>
    public TimeSpan MaxIdleWait { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long after being recorded a delivered or given-up delivery stays listed (<c>GET …/deliveries</c>) before it is removed.</summary>
    public TimeSpan KeepSettledFor { get; set; } = TimeSpan.FromDays(7);
    /// <summary>How often the worker gives up deliveries past the retry window and removes settled ones past <see cref="KeepSettledFor"/>.</summary>
    public TimeSpan TidyInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How often the worker reads the backlog its <c>gateway.outbox.*</c> gauges report.</summary>
    public TimeSpan BacklogSampleInterval { get; set; } = TimeSpan.FromSeconds(15);
}
