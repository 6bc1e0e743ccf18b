using Gateway.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.SyncWorker.Webhooks;

/// <summary>
/// The outbox as a work queue. A delivery is claimable when it is pending, due, its webhook active, and no earlier
/// delivery of the same webhook and room is still pending: that keeps each room in order. Claiming locks rows with
/// <c>FOR UPDATE SKIP LOCKED</c> and leases them (next_attempt_at moves past the attempt's timeout) before commit, so
/// two workers never take the same row, and a worker that dies mid-attempt leaves a row that is retried after the lease.
/// </summary>
public sealed class WebhookDeliveryQueue(GatewayDb db, SecretBox secretBox, RetrySchedule retries, IOptions<WebhookOptions> options, TimeProvider clock)
{
    private const int ScanSize = 200;

    /// <summary>Claims up to <paramref name="slots"/> deliveries, at most <paramref name="perWebhook"/> minus those in flight per webhook.</summary>
    public async Task<List<WebhookSender.Delivery>> ClaimAsync(
        int slots, int perWebhook, IReadOnlyDictionary<int, int> inFlight, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var dueIds = await db.Database.SqlQuery<long>(
            $"""
            SELECT d.id AS "Value"
            FROM webhook_deliveries d
            JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status = {nameof(DeliveryStatus.Pending)} AND d.next_attempt_at <= {now} AND w.active
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries earlier
                              WHERE earlier.webhook_id = d.webhook_id AND earlier.room_id = d.room_id
                                AND earlier.status = {nameof(DeliveryStatus.Pending)} AND earlier.id < d.id)
            ORDER BY d.id
            LIMIT {ScanSize}
            FOR UPDATE OF d SKIP LOCKED
            """).ToListAsync(cancellationToken);
        if (dueIds.Count == 0)
        {
            return [];
        }

        var due = await db.WebhookDeliveries.Where(d => dueIds.Contains(d.Id)).OrderBy(d => d.Id)
            .Select(d => new { d.Id, d.WebhookId }).ToListAsync(cancellationToken);
        var taken = new Dictionary<int, int>(inFlight);
        var picked = new List<long>();
        foreach (var delivery in due)
        {
            if (picked.Count == slots)
            {
                break;
            }
            if (taken.GetValueOrDefault(delivery.WebhookId) < perWebhook)
            {
                taken[delivery.WebhookId] = taken.GetValueOrDefault(delivery.WebhookId) + 1;
                picked.Add(delivery.Id);
            }
        }

        var leaseUntil = now + options.Value.Timeout + LeaseMargin;
        await db.WebhookDeliveries.Where(d => picked.Contains(d.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, leaseUntil), cancellationToken);
        var claimed = await db.WebhookDeliveries.AsNoTracking().Where(d => picked.Contains(d.Id)).OrderBy(d => d.Id)
            .Select(d => new { d.Id, d.WebhookId, d.RoomId, d.EventId, d.Webhook.Url, d.Webhook.SecretCipher, d.Payload })
            .ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return claimed.Select(d => new WebhookSender.Delivery(d.Id, d.WebhookId, d.RoomId, d.EventId, d.Url, secretBox.Open(d.SecretCipher), d.Payload)).ToList();
    }

    /// <summary>
    /// After a delivery landed, claims its room's next one in one statement, so a burst in one room is not paid a full
    /// claim per message. Only the room's oldest pending delivery qualifies, and only when it is due and its webhook
    /// still active: the same rule as <see cref="ClaimAsync"/>, so order is kept. The oldest is found without SKIP LOCKED
    /// on purpose: skipping a row that ClaimAsync holds would take the one after it. Instead the update waits for that
    /// lock and re-checks next_attempt_at, which ClaimAsync has moved into its lease: then nothing is taken.
    /// </summary>
    public async Task<WebhookSender.Delivery?> ClaimNextInRoomAsync(WebhookSender.Delivery delivered, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var leaseUntil = now + options.Value.Timeout + LeaseMargin;
        var next = await db.Database.SqlQuery<NextInRoom>(
            $"""
            UPDATE webhook_deliveries d SET next_attempt_at = {leaseUntil}
            FROM webhooks w
            WHERE w.id = d.webhook_id AND w.active AND d.next_attempt_at <= {now}
              AND d.id = (SELECT oldest.id FROM webhook_deliveries oldest
                          WHERE oldest.webhook_id = {delivered.WebhookId} AND oldest.room_id = {delivered.RoomId}
                            AND oldest.status = {nameof(DeliveryStatus.Pending)}
                          ORDER BY oldest.id LIMIT 1)
            RETURNING d.id, d.event_id, d.payload
            """).ToListAsync(cancellationToken);
        return next is [var row] ? delivered with { Id = row.Id, EventId = row.EventId, Payload = row.Payload } : null;
    }

    /// <summary>Mapped by the snake_case naming convention: id, event_id, payload.</summary>
    private sealed record NextInRoom(long Id, string EventId, string Payload);

    /// <summary>Records how an attempt ended: delivered, failed for good, or due again later.</summary>
    public async Task RecordAsync(long deliveryId, WebhookDeliveryAttempt attempt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var pending = db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.Status == DeliveryStatus.Pending);
        if (attempt.Delivered)
        {
            await pending.ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, DeliveryStatus.Delivered)
                .SetProperty(d => d.Attempts, d => d.Attempts + 1)
                .SetProperty(d => d.LastStatusCode, attempt.StatusCode)
                .SetProperty(d => d.LastError, (string?)null)
                .SetProperty(d => d.NextAttemptAt, (DateTime?)null)
                .SetProperty(d => d.DeliveredAt, now), cancellationToken);
            return;
        }
        var row = await pending.Select(d => new { d.Attempts, d.CreatedAt }).FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return; // deleted with its webhook meanwhile
        }
        var next = attempt.Retryable ? retries.NextAttempt(row.Attempts + 1, row.CreatedAt, now, attempt.RetryAfter) : null;
        var error = next is null && attempt.Retryable ? $"{attempt.Error} (gave up after {options.Value.RetryWindow.TotalHours:0.#} h)" : attempt.Error;
        await pending.ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Status, next is null ? DeliveryStatus.Failed : DeliveryStatus.Pending)
            .SetProperty(d => d.Attempts, d => d.Attempts + 1)
            .SetProperty(d => d.LastStatusCode, attempt.StatusCode)
            .SetProperty(d => d.LastError, error)
            .SetProperty(d => d.NextAttemptAt, next), cancellationToken);
    }

    /// <summary>Gives up deliveries that waited past the retry window without an attempt (an inactive webhook, a blocked room).</summary>
    public Task<int> ExpireAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now - options.Value.RetryWindow;
        return db.WebhookDeliveries
            .Where(d => d.Status == DeliveryStatus.Pending && d.CreatedAt < cutoff && d.NextAttemptAt <= now)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, DeliveryStatus.Failed)
                .SetProperty(d => d.LastError, d => (d.LastError == null ? "" : d.LastError + "; ") + "not delivered within the retry window")
                .SetProperty(d => d.NextAttemptAt, (DateTime?)null), cancellationToken);
    }

    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(20);
}
