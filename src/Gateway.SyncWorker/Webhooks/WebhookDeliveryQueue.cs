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

    /// <summary>
    /// Claims up to <paramref name="slots"/> deliveries, at most <paramref name="perWebhook"/> minus those in flight per
    /// webhook, in one statement: lock the oldest due rows (skipping rows another worker holds), rank them per webhook
    /// after its in-flight count, and lease the ones that fit.
    /// </summary>
    public async Task<List<WebhookSender.Delivery>> ClaimAsync(
        int slots, int perWebhook, IReadOnlyDictionary<int, int> inFlight, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var leaseUntil = now + options.Value.Timeout + LeaseMargin;
        var busyWebhooks = inFlight.Keys.ToArray();
        var busyCounts = busyWebhooks.Select(id => inFlight[id]).ToArray();
        var claimed = await db.Database.SqlQuery<ClaimedRow>(
            $"""
            WITH due AS (
                SELECT d.id, d.webhook_id
                FROM webhook_deliveries d
                JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.status = {nameof(DeliveryStatus.Pending)} AND d.next_attempt_at <= {now} AND w.active
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries earlier
                                  WHERE earlier.webhook_id = d.webhook_id AND earlier.room_id = d.room_id
                                    AND earlier.status = {nameof(DeliveryStatus.Pending)} AND earlier.id < d.id)
                ORDER BY d.id
                LIMIT {ScanSize}
                FOR UPDATE OF d SKIP LOCKED),
            ranked AS (
                SELECT due.id, COALESCE(busy.in_flight, 0) + row_number() OVER (PARTITION BY due.webhook_id ORDER BY due.id) AS load
                FROM due LEFT JOIN unnest({busyWebhooks}::int[], {busyCounts}::int[]) AS busy(webhook_id, in_flight)
                  ON busy.webhook_id = due.webhook_id),
            picked AS (SELECT id FROM ranked WHERE load <= {perWebhook} ORDER BY id LIMIT {slots})
            UPDATE webhook_deliveries d SET next_attempt_at = {leaseUntil}
            FROM picked, webhooks w
            WHERE d.id = picked.id AND w.id = d.webhook_id
            RETURNING d.id, d.webhook_id, d.room_id, d.event_id, w.url, w.secret_cipher, d.payload
            """).ToListAsync(cancellationToken);
        return claimed.OrderBy(d => d.Id)
            .Select(d => new WebhookSender.Delivery(d.Id, d.WebhookId, d.RoomId, d.EventId, d.Url, secretBox.Open(d.SecretCipher), d.Payload))
            .ToList();
    }

    /// <summary>Mapped by the snake_case naming convention.</summary>
    private sealed record ClaimedRow(long Id, int WebhookId, string RoomId, string EventId, string Url, byte[] SecretCipher, string Payload);

    /// <summary>
    /// Records a delivery as delivered and claims its room's next one in the same statement, so a burst in one room
    /// costs one round trip per message. Only the room's oldest pending delivery after this one qualifies, and only
    /// when it is due and its webhook still active: the same rule as <see cref="ClaimAsync"/>, so order is kept. The
    /// oldest is found without SKIP LOCKED on purpose: skipping a row that ClaimAsync holds would take the one after
    /// it. Instead the update waits for that lock and re-checks next_attempt_at, which ClaimAsync has moved into its
    /// lease: then nothing is taken.
    /// </summary>
    public async Task<WebhookSender.Delivery?> DeliveredThenClaimNextAsync(
        WebhookSender.Delivery delivered, WebhookDeliveryAttempt attempt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var leaseUntil = now + options.Value.Timeout + LeaseMargin;
        // Both parts see the statement's one snapshot, where this delivery is still pending: hence "after this one".
        var next = await db.Database.SqlQuery<NextInRoom>(
            $"""
            WITH delivered AS (
                UPDATE webhook_deliveries
                SET status = {nameof(DeliveryStatus.Delivered)}, attempts = attempts + 1, last_status_code = {attempt.StatusCode},
                    last_error = NULL, next_attempt_at = NULL, delivered_at = {now}
                WHERE id = {delivered.Id} AND status = {nameof(DeliveryStatus.Pending)})
            UPDATE webhook_deliveries d SET next_attempt_at = {leaseUntil}
            FROM webhooks w
            WHERE w.id = d.webhook_id AND w.active AND d.next_attempt_at <= {now}
              AND d.id = (SELECT oldest.id FROM webhook_deliveries oldest
                          WHERE oldest.webhook_id = {delivered.WebhookId} AND oldest.room_id = {delivered.RoomId}
                            AND oldest.status = {nameof(DeliveryStatus.Pending)} AND oldest.id > {delivered.Id}
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
