using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateway.SyncWorker;

/// <summary>
/// The worker's own figures, as meter and trace source <c>Gateway.SyncWorker</c> (docs/scaling.md#telemetry): what it
/// reads from the homeserver and stores, what it delivers, and how it holds its share of the identities. The
/// benchmarks print the same names, so a figure seen on a dashboard can be set beside the bench.
/// </summary>
public sealed class WorkerTelemetry
{
    public const string Name = "Gateway.SyncWorker";

    /// <summary>
    /// A trace per sync batch that brought something, and one per incoming event, from its storing to its webhooks' POSTs
    /// (linked to its batch): a batch of a hundred messages is a hundred stories, each told to the end.
    /// </summary>
    public static readonly ActivitySource Traces = new(Name);

    private readonly Counter<long> incomingEvents;
    private readonly Histogram<double> syncLag;
    private readonly Counter<long> leaseTakeovers;
    private readonly Counter<long> deliveryAttempts;
    private readonly Histogram<double> deliveryDuration;
    private int loopsHeld;
    private OutboxBacklog backlog = new(0, TimeSpan.Zero);

    private readonly TimeProvider clock;

    public WorkerTelemetry(IMeterFactory meters, TimeProvider clock)
    {
        this.clock = clock;
        var meter = meters.Create(Name);
        incomingEvents = meter.CreateCounter<long>("gateway.incoming.events", "{event}", "Events stored for the webhooks, by kind");
        syncLag = meter.CreateHistogram<double>("gateway.sync.lag", "s", "From the homeserver taking an event in to this worker reading it from /sync");
        leaseTakeovers = meter.CreateCounter<long>("gateway.sync.lease_takeovers", "{identity}", "Identities taken from a replica that was no longer seen");
        deliveryAttempts = meter.CreateCounter<long>("gateway.webhook.attempts", "{attempt}", "Webhook POSTs by outcome: delivered, retry or failed");
        deliveryDuration = meter.CreateHistogram<double>("gateway.webhook.attempt.duration", "s", "One webhook POST, until the receiver's answer");
        meter.CreateObservableGauge("gateway.sync.loops", () => Volatile.Read(ref loopsHeld), "{loop}", "Sync loops (identities) this worker holds");
        meter.CreateObservableGauge("gateway.outbox.pending", () => backlog.Pending, "{delivery}", "Webhook deliveries not yet delivered or given up");
        meter.CreateObservableGauge("gateway.outbox.oldest_pending_age", () => backlog.OldestAge.TotalSeconds, "s",
            "How long the oldest pending webhook delivery has waited");
    }

    public void Stored(string kind) => incomingEvents.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Read(DateTimeOffset happenedAt) => syncLag.Record(Math.Max(0, (clock.GetUtcNow() - happenedAt).TotalSeconds));

    public void TookOver(int identities) => leaseTakeovers.Add(identities);

    public void LoopsHeld(int count) => Volatile.Write(ref loopsHeld, count);

    public void Attempted(string outcome, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        deliveryAttempts.Add(1, tag);
        deliveryDuration.Record(elapsed.TotalSeconds, tag);
    }

    public void Sampled(OutboxBacklog sample) => backlog = sample;
}

/// <summary>The outbox as last sampled: how many deliveries wait, and how long the oldest has.</summary>
public sealed record OutboxBacklog(long Pending, TimeSpan OldestAge);
