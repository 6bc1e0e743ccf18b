using System.Diagnostics;
using Gateway.Shared.Data;
using Gateway.Shared.Events;
using Gateway.Shared.Redis;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Gateway.SyncWorker.Delivery;

/// <summary>
/// Records events for delivery: the payload once, and one delivery per active webhook that takes the event's kind, of
/// every usable token of the identity. Each event is one statement, recorded before the sync token that covers it is
/// stored: a crash replays the batch, and a replayed event adds nothing (one delivery per webhook and event id), so
/// none is lost or doubled. The payload keeps the trace context of its storing, for its POSTs to continue.
/// </summary>
public sealed class WebhookOutbox(GatewayDb db, IConnectionMultiplexer redis, TimeProvider clock, ILogger<WebhookOutbox> logger)
{
    /// <summary>Records one event's payload and its deliveries, in the order events are recorded (a chat's order).</summary>
    public Task RecordAsync(int identityId, OutboxEvent outboxEvent, CancellationToken cancellationToken) =>
        InsertAsync(identityId, outboxEvent, outboxEvent.Body, DeliveryStatus.Pending, error: null, cancellationToken);

    /// <summary>Records an event that could not be made ready as failed for each webhook, so its owner sees it in the deliveries.</summary>
    public Task RecordFailedAsync(int identityId, OutboxEvent outboxEvent, string error, CancellationToken cancellationToken) =>
        InsertAsync(identityId, outboxEvent, payload: null, DeliveryStatus.Failed, error, cancellationToken);

    private Task InsertAsync(int identityId, OutboxEvent outboxEvent, byte[]? payload, DeliveryStatus status, string? error,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        DateTime? due = status == DeliveryStatus.Pending ? now : null;
        // One statement is one transaction. Receivers are the active webhooks of the identity's usable tokens that take
        // this kind; without one, nothing is stored. A replay finds its payload (the no-op update makes RETURNING give the existing row).
        return db.Database.ExecuteSqlAsync(
            $"""
            WITH receivers AS (
                SELECT w.id FROM webhooks w
                JOIN tokens t ON t.id = w.token_id
                LEFT JOIN credentials c ON c.id = t.credential_id
                WHERE t.identity_id = {identityId} AND w.active
                  AND ({outboxEvent.Kind} = ANY (w.events) OR {EventKinds.All} = ANY (w.events))
                  AND (t.expires_at IS NULL OR t.expires_at > {now})
                  AND (c.id IS NULL OR c.active)),
            input AS (SELECT {payload}::bytea AS body),
            payload AS (
                INSERT INTO delivery_payloads (identity_id, event_id, body, size, trace_parent, created_at)
                SELECT {identityId}, {outboxEvent.Id}, input.body, length(input.body), {Activity.Current?.Id}::text, {now}
                FROM input WHERE input.body IS NOT NULL AND EXISTS (SELECT 1 FROM receivers)
                ON CONFLICT (identity_id, event_id) DO UPDATE SET event_id = EXCLUDED.event_id
                RETURNING id)
            INSERT INTO webhook_deliveries (webhook_id, event_id, room_id, payload_id, status, attempts, last_error, next_attempt_at, created_at)
            SELECT receivers.id, {outboxEvent.Id}, {outboxEvent.Stream}, (SELECT id FROM payload), {status.ToString()}, 0, {error}::text,
                   {due}::timestamptz, {now}
            FROM receivers
            ORDER BY receivers.id
            ON CONFLICT (webhook_id, event_id) DO NOTHING
            """, cancellationToken);
    }

    /// <summary>Wakes the delivery loops at once instead of at their next poll; losing the notice only delays delivery.</summary>
    public async Task AnnounceAsync()
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisNames.WebhookDeliveriesChannel), "");
        }
        catch (RedisException e)
        {
            logger.LogDebug(e, "Could not announce new webhook deliveries");
        }
    }
}
