using System.Diagnostics;
using System.Threading.Channels;
using Gateway.Shared.Redis;
using Gateway.Shared.Webhooks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.SyncWorker.Delivery;

/// <summary>
/// Delivers the outbox: claims due deliveries (<see cref="WebhookDeliveryQueue"/>), POSTs them with bounded
/// concurrency overall, per webhook and per identity, and records each outcome. Wakes on a Redis notice when the sync
/// loops record deliveries, when an attempt ends (the room's next message may go), and when the next pending delivery
/// falls due; it polls only while some due delivery cannot be claimed, or it hears no notices.
/// </summary>
public sealed class WebhookDeliveryLoop(
    IServiceScopeFactory scopes, WebhookSender sender, IConnectionMultiplexer redis, IOptions<WebhookOptions> options, TimeProvider clock,
    WorkerTelemetry telemetry, ILogger<WebhookDeliveryLoop> logger) : BackgroundService
{
    /// <summary>How many of a room's deliveries one claim takes; its lease covers that many attempts.</summary>
    private const int MaxRun = 16;
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<int, int> inFlightPerWebhook = [];
    private readonly Dictionary<int, int> inFlightPerIdentity = [];
    private long payloadBytesInFlight;
    private readonly List<Task> attempts = [];

    private CancellationToken stopping;
    private bool hearsNotices;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        stopping = stoppingToken; // in-flight chains finish their current POST, then stop taking the room's next
        await SubscribeAsync();
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan? wait = settings.PollInterval;
            try
            {
                wait = await ClaimAndStartAsync(settings, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Claiming webhook deliveries failed; trying again in {Seconds} s", settings.PollInterval.TotalSeconds);
            }
            if (wait is { } idle)
            {
                await WaitForWorkAsync(idle, stoppingToken);
            }
        }
        // In-flight POSTs finish and are recorded (they are not cancelled), so a restart does not send them twice.
        Task[] remaining;
        lock (attempts)
        {
            remaining = [.. attempts];
        }
        await Task.WhenAll(remaining);
    }

    /// <summary>How long to wait for work: none when every free slot was filled (there may be more due right away).</summary>
    private async Task<TimeSpan?> ClaimAndStartAsync(WebhookOptions settings, CancellationToken stoppingToken)
    {
        Dictionary<int, int> perWebhook, perIdentity;
        int free;
        long payloadBytes;
        lock (attempts)
        {
            free = settings.MaxConcurrency - attempts.Count;
            (perWebhook, perIdentity) = (new(inFlightPerWebhook), new(inFlightPerIdentity));
            payloadBytes = settings.MaxPayloadBytesInFlight - payloadBytesInFlight;
        }
        if (free <= 0 || payloadBytes <= 0)
        {
            return settings.PollInterval; // a POST that ends wakes the loop
        }
        await using var scope = scopes.CreateAsyncScope();
        var queue = scope.ServiceProvider.GetRequiredService<WebhookDeliveryQueue>();
        var claimed = await queue.ClaimAsync(free, perWebhook, perIdentity, payloadBytes, stoppingToken);
        if (claimed.Count == 0)
        {
            return await IdleWaitAsync(queue, settings, stoppingToken);
        }
        foreach (var delivery in claimed)
        {
            lock (attempts)
            {
                Count(inFlightPerWebhook, delivery.WebhookId, +1);
                Count(inFlightPerIdentity, delivery.IdentityId, +1);
                payloadBytesInFlight += delivery.Payload.Length;
                var attempt = Task.Run(() => AttemptAsync(delivery), CancellationToken.None);
                attempts.Add(attempt);
                _ = attempt.ContinueWith(Finished, delivery, TaskScheduler.Default);
            }
        }
        return claimed.Count == free ? null : settings.PollInterval; // a claim cut short by the byte budget waits for POSTs to end
    }

    /// <summary>
    /// Nothing was claimable: wait until the next pending delivery falls due, or a notice. A pending delivery already due
    /// that could not be claimed (its webhook paused, its room behind an earlier one) is polled for as before.
    /// </summary>
    private async Task<TimeSpan> IdleWaitAsync(WebhookDeliveryQueue queue, WebhookOptions settings, CancellationToken stoppingToken)
    {
        if (!hearsNotices)
        {
            return settings.PollInterval;
        }
        var untilDue = await queue.NextDueAsync(stoppingToken) is { } due ? due - clock.GetUtcNow().UtcDateTime : settings.MaxIdleWait;
        return untilDue <= TimeSpan.Zero ? settings.PollInterval : untilDue < settings.MaxIdleWait ? untilDue : settings.MaxIdleWait;
    }

    /// <summary>
    /// Delivers one delivery, then the room's next ones in runs while they land (see DeliveredThenClaimNextAsync): the
    /// run's POSTs go back to back, in order, and one statement records them and claims the next run. A failed POST
    /// ends the chain; what the run had left is released to wait behind it.
    /// </summary>
    private async Task AttemptAsync(ClaimedDelivery first)
    {
        List<ClaimedDelivery> run = [first];
        while (run.Count > 0)
        {
            var delivered = new List<(long Id, int StatusCode)>(run.Count);
            (ClaimedDelivery Delivery, WebhookDeliveryAttempt Attempt)? failed = null;
            try
            {
                foreach (var delivery in run.TakeWhile(_ => !stopping.IsCancellationRequested))
                {
                    var attempt = await SendAsync(delivery);
                    if (!attempt.Delivered)
                    {
                        failed = (delivery, attempt);
                        break;
                    }
                    delivered.Add((delivery.Id, attempt.StatusCode!.Value));
                }
                var unsent = run.Skip(delivered.Count + (failed is null ? 0 : 1)).ToList();
                var goOn = failed is null && unsent.Count == 0 && !stopping.IsCancellationRequested;

                await using var scope = scopes.CreateAsyncScope();
                var queue = scope.ServiceProvider.GetRequiredService<WebhookDeliveryQueue>();
                var next = delivered.Count == 0 ? []
                    : await WhileLeasedAsync(run[0].LeasedUntil,
                        () => queue.DeliveredThenClaimNextAsync(run[delivered.Count - 1], delivered, goOn ? MaxRun : 0, CancellationToken.None));
                if (failed is var (failedDelivery, failure))
                {
                    await queue.RecordFailureAsync(failedDelivery.Id, failedDelivery.WebhookId, failure, CancellationToken.None);
                    logger.LogInformation("Webhook delivery {DeliveryId} of {EventId} not delivered ({Error}; {Outcome})",
                        failedDelivery.Id, failedDelivery.EventId, failure.Error, failure.Retryable ? "will retry" : "final");
                }
                if (unsent.Count > 0)
                {
                    await queue.ReleaseAsync(unsent, CancellationToken.None); // they wait behind the failure, or for the next start
                }
                run = next;
            }
            catch (Exception e)
            {
                // The leases run out and the deliveries are tried again: at least once, never lost.
                logger.LogError(e, "Webhook deliveries from {DeliveryId} could not be recorded", run[0].Id);
                return;
            }
        }
    }

    /// <summary>One POST, in the trace its event was stored in, and counted by outcome.</summary>
    private async Task<WebhookDeliveryAttempt> SendAsync(ClaimedDelivery delivery)
    {
        Activity.Current = null; // each POST continues its own event's trace, not the one of the run's first
        using var activity = WorkerTelemetry.Traces.StartActivity("webhook delivery", ActivityKind.Producer,
            ActivityContext.TryParse(delivery.TraceParent, null, out var stored) ? stored : default);
        activity?.SetTag("gateway.delivery.id", delivery.Id);
        activity?.SetTag("gateway.webhook.id", delivery.WebhookId);
        var started = Stopwatch.GetTimestamp();
        WebhookDeliveryAttempt attempt;
        try
        {
            attempt = await sender.SendAsync(delivery, CancellationToken.None);
        }
        catch (Exception e) // whatever the POST threw, the run's earlier deliveries still get recorded
        {
            attempt = WebhookDeliveryAttempt.NetworkError(e.Message);
        }
        var outcome = attempt.Delivered ? "delivered" : attempt.Retryable ? "retry" : "failed";
        activity?.SetTag("gateway.delivery.outcome", outcome);
        if (!attempt.Delivered)
        {
            activity?.SetStatus(ActivityStatusCode.Error, attempt.Error);
        }
        telemetry.Attempted(outcome, Stopwatch.GetElapsedTime(started));
        return attempt;
    }

    private static readonly TimeSpan RecordRetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Records POSTs that were made through an outage of the database, trying again while their leases are still this
    /// worker's: given up at once, they would be POSTed again when the leases ran out, and the receiver would get them twice.
    /// </summary>
    private async Task<T> WhileLeasedAsync<T>(DateTime leasedUntil, Func<Task<T>> record)
    {
        while (true)
        {
            try
            {
                return await record();
            }
            catch (Exception e) when (IsOutage(e) && clock.GetUtcNow().UtcDateTime + RecordRetryDelay < leasedUntil)
            {
                logger.LogWarning("Recording delivered webhooks failed ({Error}); trying again while their leases hold", e.Message);
                await Task.Delay(RecordRetryDelay, CancellationToken.None);
            }
        }
    }

    private static bool IsOutage(Exception? e) => e switch
    {
        null => false,
        Npgsql.NpgsqlException or TimeoutException or System.Net.Sockets.SocketException => true,
        _ => IsOutage(e.InnerException),
    };

    private void Finished(Task attempt, object? claimed)
    {
        var delivery = (ClaimedDelivery)claimed!;
        lock (attempts)
        {
            attempts.Remove(attempt);
            Count(inFlightPerWebhook, delivery.WebhookId, -1);
            Count(inFlightPerIdentity, delivery.IdentityId, -1);
            payloadBytesInFlight -= delivery.Payload.Length;
        }
        Wake(); // the room's next delivery may go now, and a slot is free
    }

    private static void Count(Dictionary<int, int> inFlight, int id, int change)
    {
        if ((inFlight[id] = inFlight.GetValueOrDefault(id) + change) == 0)
        {
            inFlight.Remove(id);
        }
    }

    private async Task WaitForWorkAsync(TimeSpan pollInterval, CancellationToken stoppingToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        poll.CancelAfter(pollInterval);
        try
        {
            await wake.Reader.ReadAsync(poll.Token);
        }
        catch (OperationCanceledException)
        {
            // the poll interval passed, or the service is stopping
        }
    }

    private void Wake() => wake.Writer.TryWrite(true);

    private async Task SubscribeAsync()
    {
        try
        {
            await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisNames.WebhookDeliveriesChannel), (_, _) => Wake());
            hearsNotices = true;
        }
        catch (RedisException e)
        {
            logger.LogWarning(e, "Not subscribed to webhook delivery notices; relying on polling");
        }
    }
}
