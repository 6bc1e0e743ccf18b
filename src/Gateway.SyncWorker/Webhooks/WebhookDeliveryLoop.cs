using System.Threading.Channels;
using Gateway.Data;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.SyncWorker.Webhooks;

/// <summary>
/// Delivers the outbox: claims due deliveries (<see cref="WebhookDeliveryQueue"/>), POSTs them with bounded
/// concurrency overall and per webhook, and records each outcome. Wakes on a Redis notice when the sync loops record
/// deliveries, when an attempt ends (the room's next message may go), and otherwise polls.
/// </summary>
public sealed class WebhookDeliveryLoop(
    IServiceScopeFactory scopes, WebhookSender sender, IConnectionMultiplexer redis, IOptions<WebhookOptions> options,
    ILogger<WebhookDeliveryLoop> logger) : BackgroundService
{
    private static readonly TimeSpan ExpiryInterval = TimeSpan.FromMinutes(1);
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<int, int> inFlightPerWebhook = [];
    private readonly List<Task> attempts = [];
    private DateTime nextExpiry = DateTime.MinValue;

    private CancellationToken stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        stopping = stoppingToken; // in-flight chains finish their current POST, then stop taking the room's next
        await SubscribeAsync();
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimedAll = false;
            try
            {
                await ExpireOldDeliveriesAsync(stoppingToken);
                claimedAll = await ClaimAndStartAsync(settings, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Claiming webhook deliveries failed; trying again in {Seconds} s", settings.PollInterval.TotalSeconds);
            }
            if (!claimedAll)
            {
                await WaitForWorkAsync(settings.PollInterval, stoppingToken);
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

    /// <summary>True when every free slot was filled, so there may be more due work right away.</summary>
    private async Task<bool> ClaimAndStartAsync(WebhookOptions settings, CancellationToken stoppingToken)
    {
        Dictionary<int, int> inFlight;
        int free;
        lock (attempts)
        {
            free = settings.MaxConcurrency - attempts.Count;
            inFlight = new Dictionary<int, int>(inFlightPerWebhook);
        }
        if (free <= 0)
        {
            return false;
        }
        await using var scope = scopes.CreateAsyncScope();
        var claimed = await scope.ServiceProvider.GetRequiredService<WebhookDeliveryQueue>()
            .ClaimAsync(free, settings.MaxConcurrencyPerWebhook, inFlight, stoppingToken);
        foreach (var delivery in claimed)
        {
            lock (attempts)
            {
                inFlightPerWebhook[delivery.WebhookId] = inFlightPerWebhook.GetValueOrDefault(delivery.WebhookId) + 1;
                var attempt = Task.Run(() => AttemptAsync(delivery), CancellationToken.None);
                attempts.Add(attempt);
                _ = attempt.ContinueWith(Finished, delivery.WebhookId, TaskScheduler.Default);
            }
        }
        return claimed.Count == free;
    }

    /// <summary>Delivers one delivery, then the room's next ones while they land (see DeliveredThenClaimNextAsync).</summary>
    private async Task AttemptAsync(WebhookSender.Delivery first)
    {
        for (WebhookSender.Delivery? next = first; next is not null;)
        {
            var delivery = next;
            try
            {
                var attempt = await sender.SendAsync(delivery, CancellationToken.None);
                await using var scope = scopes.CreateAsyncScope();
                var queue = scope.ServiceProvider.GetRequiredService<WebhookDeliveryQueue>();
                if (attempt.Delivered && !stopping.IsCancellationRequested)
                {
                    next = await queue.DeliveredThenClaimNextAsync(delivery, attempt, CancellationToken.None);
                    continue;
                }
                await queue.RecordAsync(delivery.Id, attempt, CancellationToken.None);
                if (!attempt.Delivered)
                {
                    logger.LogInformation("Webhook delivery {DeliveryId} of {EventId} not delivered ({Error}; {Outcome})",
                        delivery.Id, delivery.EventId, attempt.Error, attempt.Retryable ? "will retry" : "final");
                }
                return;
            }
            catch (Exception e)
            {
                // The lease runs out and the delivery is tried again: at least once, never lost.
                logger.LogError(e, "Webhook delivery {DeliveryId} could not be recorded", delivery.Id);
                return;
            }
        }
    }

    private void Finished(Task attempt, object? webhookId)
    {
        lock (attempts)
        {
            attempts.Remove(attempt);
            var id = (int)webhookId!;
            if (--inFlightPerWebhook[id] == 0)
            {
                inFlightPerWebhook.Remove(id);
            }
        }
        Wake(); // the room's next delivery may go now, and a slot is free
    }

    private async Task ExpireOldDeliveriesAsync(CancellationToken stoppingToken)
    {
        if (DateTime.UtcNow < nextExpiry)
        {
            return;
        }
        nextExpiry = DateTime.UtcNow + ExpiryInterval;
        await using var scope = scopes.CreateAsyncScope();
        if (await scope.ServiceProvider.GetRequiredService<WebhookDeliveryQueue>().ExpireAsync(stoppingToken) is > 0 and var expired)
        {
            logger.LogWarning("{Count} webhook deliveries given up: not delivered within the retry window", expired);
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
        }
        catch (RedisException e)
        {
            logger.LogWarning(e, "Not subscribed to webhook delivery notices; relying on polling");
        }
    }
}
