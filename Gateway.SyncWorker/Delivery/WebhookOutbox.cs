using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Gateway.Shared.Redis;
using Gateway.SyncWorker.Incoming;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Gateway.SyncWorker.Delivery;

/// <summary>
/// Records incoming messages for delivery: one row per active webhook of every usable token of the identity, written
/// by the same statement that stores the sync token, so a message is recorded exactly when the batch that carried it
/// counts as handled: a crash either loses both (the batch comes again) or neither.
/// </summary>
public sealed class WebhookOutbox(GatewayDb db, IConnectionMultiplexer redis, TimeProvider clock, ILogger<WebhookOutbox> logger)
{
    /// <summary>Stores <paramref name="nextBatch"/> as the identity's sync token and records the batch's messages, atomically.</summary>
    public async Task CommitBatchAsync(MatrixSession identity, IReadOnlyList<IncomingMessage> messages, string nextBatch, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var eventIds = messages.Select(m => m.EventId).ToArray();
        var roomIds = messages.Select(m => m.RoomId).ToArray();
        var payloads = messages.Select(m => m.Payload).ToArray();
        // Ids follow the batch's order: that is what keeps the deliveries of a room in order. A batch handled twice
        // (a commit whose acknowledgement was lost, two workers briefly syncing one identity) adds nothing.
        // One statement is one transaction: a data-modifying WITH runs whether or not the UPDATE reads it (and with no
        // messages it inserts nothing, so a quiet batch takes the same path).
        await db.Database.ExecuteSqlAsync(
            $"""
            WITH recorded AS (
            INSERT INTO webhook_deliveries (webhook_id, event_id, room_id, payload, status, attempts, next_attempt_at, created_at)
            SELECT w.id, m.event_id, m.room_id, m.payload, {nameof(DeliveryStatus.Pending)}, 0, {now}, {now}
            FROM unnest({eventIds}::text[], {roomIds}::text[], {payloads}::text[]) WITH ORDINALITY AS m(event_id, room_id, payload, position)
            CROSS JOIN webhooks w
            JOIN tokens t ON t.id = w.token_id
            LEFT JOIN credentials c ON c.id = t.credential_id
            WHERE t.identity_id = {identity.IdentityId} AND w.active
              AND (t.expires_at IS NULL OR t.expires_at > {now})
              AND (c.id IS NULL OR c.active)
            ORDER BY m.position, w.id
            ON CONFLICT (webhook_id, event_id) DO NOTHING
            )
            UPDATE matrix_identities SET sync_token = {nextBatch} WHERE id = {identity.IdentityId}
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
