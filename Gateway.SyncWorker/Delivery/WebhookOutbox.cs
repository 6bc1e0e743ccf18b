using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Gateway.Shared.Redis;
using Gateway.SyncWorker.Incoming;
using Gateway.SyncWorker.Sync;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Gateway.SyncWorker.Delivery;

/// <summary>
/// Records incoming messages for delivery: the payload once, and one delivery per active webhook of every usable token
/// of the identity. Each message is one statement, recorded before the batch's sync token is stored: a crash replays
/// the batch, and a replayed message adds nothing (one delivery per webhook and event), so none is lost or doubled.
/// </summary>
public sealed class WebhookOutbox(GatewayDb db, IConnectionMultiplexer redis, TimeProvider clock, ILogger<WebhookOutbox> logger)
{
    /// <summary>Records one message's payload and its deliveries, in the order messages are recorded (a room's order).</summary>
    public Task RecordAsync(MatrixSession identity, IncomingMessage message, byte[] payload, CancellationToken cancellationToken) =>
        InsertAsync(identity, message, payload, DeliveryStatus.Pending, error: null, cancellationToken);

    /// <summary>Records a message that could not be stored as failed for each webhook, so its owner sees it in the deliveries.</summary>
    public Task RecordFailedAsync(MatrixSession identity, IncomingMessage message, string error, CancellationToken cancellationToken) =>
        InsertAsync(identity, message, payload: null, DeliveryStatus.Failed, error, cancellationToken);

    /// <summary>
    /// Stores the batch's <c>next_batch</c>, once all its messages are recorded: the batch is handled. Only under the
    /// lease's fence: a replica that lost the identity (however long it was paused) cannot move its sync token.
    /// </summary>
    public async Task CommitSyncTokenAsync(MatrixSession identity, SyncLease lease, string nextBatch, CancellationToken cancellationToken)
    {
        var stored = await db.MatrixIdentities
            .Where(i => i.Id == identity.IdentityId && i.SyncLeaseHolder == lease.Holder && i.SyncLeaseFence == lease.Fence)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.SyncToken, nextBatch), cancellationToken);
        if (stored == 0)
        {
            throw new SyncLeaseLostException(lease.IdentityId);
        }
    }

    private Task InsertAsync(MatrixSession identity, IncomingMessage message, byte[]? payload, DeliveryStatus status, string? error,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        DateTime? due = status == DeliveryStatus.Pending ? now : null;
        // One statement is one transaction. Receivers are the active webhooks of the identity's usable tokens; without
        // one, nothing is stored. A replay finds its payload (the no-op update makes RETURNING give the existing row).
        return db.Database.ExecuteSqlAsync(
            $"""
            WITH receivers AS (
                SELECT w.id FROM webhooks w
                JOIN tokens t ON t.id = w.token_id
                LEFT JOIN credentials c ON c.id = t.credential_id
                WHERE t.identity_id = {identity.IdentityId} AND w.active
                  AND (t.expires_at IS NULL OR t.expires_at > {now})
                  AND (c.id IS NULL OR c.active)),
            input AS (SELECT {payload}::bytea AS body),
            payload AS (
                INSERT INTO delivery_payloads (identity_id, event_id, body, size, created_at)
                SELECT {identity.IdentityId}, {message.EventId}, input.body, length(input.body), {now}
                FROM input WHERE input.body IS NOT NULL AND EXISTS (SELECT 1 FROM receivers)
                ON CONFLICT (identity_id, event_id) DO UPDATE SET event_id = EXCLUDED.event_id
                RETURNING id)
            INSERT INTO webhook_deliveries (webhook_id, event_id, room_id, payload_id, status, attempts, last_error, next_attempt_at, created_at)
            SELECT receivers.id, {message.EventId}, {message.RoomId}, (SELECT id FROM payload), {status.ToString()}, 0, {error}::text,
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
