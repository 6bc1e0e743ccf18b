using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Gateway.Shared.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.SyncWorker.Delivery;

/// <summary>
/// The outbox as a work queue. A delivery is claimable when it is pending, due, its webhook active and not paused, its token
/// neither expired nor of a deactivated credential (revocation stops deliveries at once), and no earlier delivery of the same webhook and room is still pending: that keeps each room in order. Claiming locks rows with
/// <c>FOR UPDATE SKIP LOCKED</c> and leases them (next_attempt_at moves past the attempt's timeout) before commit, so
/// two workers never take the same row. A worker that dies mid-attempt leaves a row that is retried after the lease, or
/// sooner once the worker is known to be gone (<see cref="WorkerPresence.GoneAfter"/>): a run's lease covers a whole run of
/// attempts, minutes by default, and must not hold a room's deliveries that long for a replica killed with -9.
/// </summary>
public sealed class WebhookDeliveryQueue(GatewayDb db, SecretBox secretBox, RetrySchedule retries, IOptions<WebhookOptions> options, TimeProvider clock,
    WorkerPresence worker)
{
    /// <summary>
    /// Claims up to <paramref name="slots"/> deliveries fairly (docs/api.md#limits), in one statement: each webhook offers
    /// its oldest due rows (so no tenant's backlog hides another's), each webhook and each identity takes no more than its
    /// share after what it has in flight, and the slots go round the identities, and within one round its webhooks.
    /// </summary>
    /// <param name="inFlightPerWebhook">This worker's POSTs in flight per webhook id.</param>
    /// <param name="inFlightPerIdentity">This worker's POSTs in flight per identity id.</param>
    /// <param name="payloadBytes">How many payload bytes the claim may take (the first delivery is taken whatever its size).</param>
    public async Task<List<ClaimedDelivery>> ClaimAsync(int slots, IReadOnlyDictionary<int, int> inFlightPerWebhook,
        IReadOnlyDictionary<int, int> inFlightPerIdentity, long payloadBytes, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var leaseUntil = now + settings.Timeout + LeaseMargin;
        var (busyWebhooks, webhookCounts) = (inFlightPerWebhook.Keys.ToArray(), inFlightPerWebhook.Values.ToArray());
        var (busyIdentities, identityCounts) = (inFlightPerIdentity.Keys.ToArray(), inFlightPerIdentity.Values.ToArray());
        var claimed = await db.Database.SqlQuery<ClaimedRow>(
            $"""
            WITH offered AS (
                SELECT d.id, d.webhook_id, t.identity_id, d.payload_id,
                       COALESCE(busy.in_flight, 0) + row_number() OVER (PARTITION BY d.webhook_id ORDER BY d.id) AS webhook_load
                FROM webhooks w
                JOIN tokens t ON t.id = w.token_id
                CROSS JOIN LATERAL (
                    SELECT d.id, d.webhook_id, d.payload_id FROM webhook_deliveries d
                    WHERE d.webhook_id = w.id AND d.status = {nameof(DeliveryStatus.Pending)}
                      AND (d.next_attempt_at <= {now}
                           OR d.leased_by IN (SELECT name FROM sync_workers WHERE seen_at < now() - {worker.GoneAfter}))
                      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries earlier
                                      WHERE earlier.webhook_id = d.webhook_id AND earlier.room_id = d.room_id
                                        AND earlier.status = {nameof(DeliveryStatus.Pending)} AND earlier.id < d.id)
                    ORDER BY d.id
                    LIMIT {settings.MaxConcurrencyPerWebhook}
                    FOR UPDATE SKIP LOCKED) d
                LEFT JOIN unnest({busyWebhooks}::int[], {webhookCounts}::int[]) AS busy(webhook_id, in_flight) ON busy.webhook_id = w.id
                WHERE w.active AND (w.paused_until IS NULL OR w.paused_until <= {now})
                  AND (t.expires_at IS NULL OR t.expires_at > {now})
                  AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.id = t.credential_id AND NOT c.active)),
            shared AS (
                SELECT offered.id, offered.webhook_load, offered.payload_id,
                       COALESCE(busy.in_flight, 0) + row_number() OVER (PARTITION BY offered.identity_id ORDER BY offered.webhook_load, offered.id) AS identity_load
                FROM offered
                LEFT JOIN unnest({busyIdentities}::int[], {identityCounts}::int[]) AS busy(identity_id, in_flight) ON busy.identity_id = offered.identity_id
                WHERE offered.webhook_load <= {settings.MaxConcurrencyPerWebhook}),
            ordered AS (
                SELECT shared.id, shared.identity_load, shared.webhook_load, p.size,
                       sum(p.size) OVER (ORDER BY shared.identity_load, shared.webhook_load, shared.id) AS running_size
                FROM shared JOIN delivery_payloads p ON p.id = shared.payload_id
                WHERE shared.identity_load <= {settings.MaxConcurrencyPerIdentity}),
            picked AS (
                SELECT id FROM ordered WHERE running_size - size < {payloadBytes}
                ORDER BY identity_load, webhook_load, id LIMIT {slots})
            UPDATE webhook_deliveries d SET next_attempt_at = {leaseUntil}, leased_by = {worker.Name}
            FROM picked, webhooks w, tokens t, delivery_payloads p
            WHERE d.id = picked.id AND w.id = d.webhook_id AND t.id = w.token_id AND p.id = d.payload_id
            RETURNING d.id, d.webhook_id, t.identity_id, d.room_id, d.event_id, w.url, w.secret_cipher, p.body AS payload, p.trace_parent, d.next_attempt_at
            """).ToListAsync(cancellationToken);
        return ToDeliveries(claimed);
    }

    /// <summary>
    /// When the earliest pending delivery falls due (or its lease ends), by the partial index on pending rows: now if a
    /// replica gone for good holds one (its lease is void, as <see cref="ClaimAsync"/> says); null if none is pending.
    /// </summary>
    public async Task<DateTime?> NextDueAsync(CancellationToken cancellationToken) =>
        (await db.Database.SqlQuery<DateTime?>(
            $"""
            SELECT CASE WHEN EXISTS (SELECT 1 FROM webhook_deliveries d JOIN sync_workers w ON w.name = d.leased_by
                                     WHERE d.status = {nameof(DeliveryStatus.Pending)} AND w.seen_at < now() - {worker.GoneAfter})
                        THEN now()
                        ELSE (SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = {nameof(DeliveryStatus.Pending)}) END AS "Value"
            """).ToListAsync(cancellationToken)).Single();

    private List<ClaimedDelivery> ToDeliveries(List<ClaimedRow> rows) =>
        rows.OrderBy(d => d.Id)
            .Select(d => new ClaimedDelivery(d.Id, d.WebhookId, d.IdentityId, d.RoomId, d.EventId, d.Url, secretBox.Open(d.SecretCipher),
                d.Payload, d.NextAttemptAt, d.TraceParent))
            .ToList();

    /// <summary>Mapped by the snake_case naming convention.</summary>
    private sealed record ClaimedRow(long Id, int WebhookId, int IdentityId, string RoomId, string EventId, string Url, byte[] SecretCipher,
        byte[] Payload, string? TraceParent, DateTime NextAttemptAt);

    /// <summary>
    /// Records a run of deliveries of one room as delivered and claims the room's next run (up to
    /// <paramref name="maxRun"/>, 0 for none) in the same statement, so a burst costs one round trip per run. Only the
    /// room's oldest pending deliveries after <paramref name="last"/> qualify, in order and without a gap, and only when
    /// due and their webhook still active: the same rule as <see cref="ClaimAsync"/>, so order is kept. They are found
    /// without SKIP LOCKED on purpose: skipping a row that ClaimAsync holds would take the ones after it. Instead the
    /// update waits for that lock and re-checks next_attempt_at, which ClaimAsync has moved into its lease: then nothing
    /// is taken. The lease covers a whole run of attempts.
    /// </summary>
    public async Task<List<ClaimedDelivery>> DeliveredThenClaimNextAsync(
        ClaimedDelivery last, IReadOnlyList<(long Id, int StatusCode)> delivered, int maxRun, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var leaseUntil = now + options.Value.Timeout * Math.Max(1, maxRun) + LeaseMargin;
        var ids = delivered.Select(d => d.Id).ToArray();
        var codes = delivered.Select(d => d.StatusCode).ToArray();
        // Both parts see the statement's one snapshot, where the run just delivered is still pending: hence "after last".
        var next = await db.Database.SqlQuery<ClaimedRow>(
            $"""
            WITH delivered AS (
                UPDATE webhook_deliveries d
                SET status = {nameof(DeliveryStatus.Delivered)}, attempts = d.attempts + 1, last_status_code = run.code,
                    last_error = NULL, next_attempt_at = NULL, delivered_at = {now}, payload_id = NULL
                FROM unnest({ids}::bigint[], {codes}::int[]) AS run(id, code)
                WHERE d.id = run.id AND d.status = {nameof(DeliveryStatus.Pending)}),
            answering AS (
                UPDATE webhooks SET failing_since = NULL, paused_until = NULL
                WHERE id = {last.WebhookId} AND failing_since IS NOT NULL),
            following AS (
                SELECT d.id, d.next_attempt_at <= {now} AS due, sum(p.size) OVER (ORDER BY d.id) - p.size AS size_before
                FROM webhook_deliveries d JOIN delivery_payloads p ON p.id = d.payload_id
                WHERE d.webhook_id = {last.WebhookId} AND d.room_id = {last.RoomId}
                  AND d.status = {nameof(DeliveryStatus.Pending)} AND d.id > {last.Id}
                ORDER BY d.id LIMIT {maxRun})
            UPDATE webhook_deliveries d SET next_attempt_at = {leaseUntil}, leased_by = {worker.Name}
            FROM webhooks w, tokens t, delivery_payloads p
            WHERE w.id = d.webhook_id AND t.id = w.token_id AND p.id = d.payload_id
              AND w.active AND d.status = {nameof(DeliveryStatus.Pending)} AND d.next_attempt_at <= {now}
              AND (t.expires_at IS NULL OR t.expires_at > {now})
              AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.id = t.credential_id AND NOT c.active)
              AND d.id IN (SELECT id FROM following WHERE due AND size_before < {MaxRunBytes}
                                                    AND id < ALL (SELECT id FROM following WHERE NOT due))
            RETURNING d.id, d.webhook_id, t.identity_id, d.room_id, d.event_id, w.url, w.secret_cipher, p.body AS payload, p.trace_parent, d.next_attempt_at
            """).ToListAsync(cancellationToken);
        return ToDeliveries(next); // the webhook's URL and secret as they are now: a long chain follows an update
    }

    /// <summary>
    /// Hands back leases of deliveries claimed but not attempted, so they are due again at once. Only leases still ours:
    /// if one ran out and another worker claimed the row since, resetting it would let a third take it mid-attempt.
    /// </summary>
    public Task ReleaseAsync(IReadOnlyList<ClaimedDelivery> deliveries, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = deliveries.Select(d => d.Id).ToArray();
        var leases = deliveries.Select(d => d.LeasedUntil).ToArray();
        return db.Database.ExecuteSqlAsync(
            $"""
            UPDATE webhook_deliveries d SET next_attempt_at = {now}, leased_by = NULL
            FROM unnest({ids}::bigint[], {leases}::timestamptz[]) AS held(id, lease)
            WHERE d.id = held.id AND d.status = {nameof(DeliveryStatus.Pending)} AND d.next_attempt_at = held.lease
            """, cancellationToken);
    }

    /// <summary>
    /// Records an attempt that did not deliver: failed for good, or due again later. A retryable failure also counts
    /// against the webhook: once it has failed without a break for <see cref="WebhookOptions.PauseAfterFailingFor"/>, it
    /// is paused as a whole for as long as it has been failing (at most <see cref="WebhookOptions.MaxPause"/>).
    /// </summary>
    public async Task RecordFailureAsync(long deliveryId, int webhookId, WebhookDeliveryAttempt attempt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var pending = db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.Status == DeliveryStatus.Pending);
        var row = await pending.Select(d => new { d.Attempts, d.CreatedAt }).FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return; // deleted with its webhook meanwhile
        }
        var next = attempt.Retryable ? retries.NextAttempt(row.Attempts + 1, row.CreatedAt, now, attempt.RetryAfter) : null;
        var final = next is null;
        var error = final && attempt.Retryable ? $"{attempt.Error} (gave up after {options.Value.RetryWindow.TotalHours:0.#} h)" : attempt.Error;
        await pending.ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Status, final ? DeliveryStatus.Failed : DeliveryStatus.Pending)
            .SetProperty(d => d.PayloadId, d => final ? null : d.PayloadId)
            .SetProperty(d => d.Attempts, d => d.Attempts + 1)
            .SetProperty(d => d.LastStatusCode, attempt.StatusCode)
            .SetProperty(d => d.LastError, error)
            .SetProperty(d => d.NextAttemptAt, next)
            .SetProperty(d => d.LeasedBy, (string?)null), cancellationToken);
        if (attempt.Retryable)
        {
            await PauseIfFailingAsync(webhookId, now, cancellationToken);
        }
    }

    private Task PauseIfFailingAsync(int webhookId, DateTime now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        return db.Database.ExecuteSqlAsync(
            $"""
            UPDATE webhooks SET
                failing_since = COALESCE(failing_since, {now}),
                paused_until = CASE WHEN {now} - failing_since >= {settings.PauseAfterFailingFor}
                                    THEN {now} + LEAST({now} - failing_since, {settings.MaxPause}) ELSE paused_until END
            WHERE id = {webhookId}
            """, cancellationToken);
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
                .SetProperty(d => d.NextAttemptAt, (DateTime?)null)
                .SetProperty(d => d.PayloadId, (long?)null), cancellationToken);
    }

    /// <summary>
    /// Gives up the pending deliveries of revoked tokens (expired, or of a deactivated credential): none of them is
    /// claimed any more, and their owner sees why in the deliveries list. A deleted token's go with its webhooks.
    /// </summary>
    public Task<int> GiveUpRevokedAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.Database.ExecuteSqlAsync(
            $"""
            UPDATE webhook_deliveries d
            SET status = {nameof(DeliveryStatus.Failed)}, last_error = {TokenRevoked}, next_attempt_at = NULL, payload_id = NULL
            FROM webhooks w JOIN tokens t ON t.id = w.token_id
            WHERE d.webhook_id = w.id AND d.status = {nameof(DeliveryStatus.Pending)}
              AND (t.expires_at <= {now} OR EXISTS (SELECT 1 FROM credentials c WHERE c.id = t.credential_id AND NOT c.active))
            """, cancellationToken);
    }

    public const string TokenRevoked = "token revoked";

    /// <summary>
    /// Removes up to <paramref name="batch"/> settled deliveries recorded longer ago than
    /// <see cref="WebhookOptions.KeepSettledFor"/>, oldest first, so the outbox does not grow forever. Batches keep each
    /// statement short however much history there is (the first tidy after an upgrade).
    /// </summary>
    public Task<int> PruneAsync(int batch, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - options.Value.KeepSettledFor;
        var oldest = db.WebhookDeliveries
            .Where(d => d.Status != DeliveryStatus.Pending && d.CreatedAt < cutoff)
            .OrderBy(d => d.CreatedAt)
            .Take(batch)
            .Select(d => d.Id);
        return db.WebhookDeliveries.Where(d => oldest.Contains(d.Id)).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Removes up to <paramref name="batch"/> payloads no delivery needs any more (all settled, or deleted with their webhook).</summary>
    public Task<int> PrunePayloadsAsync(int batch, CancellationToken cancellationToken)
    {
        var unused = db.DeliveryPayloads
            .Where(p => !db.WebhookDeliveries.Any(d => d.PayloadId == p.Id))
            .OrderBy(p => p.Id)
            .Take(batch)
            .Select(p => p.Id);
        return db.DeliveryPayloads.Where(p => unused.Contains(p.Id)).ExecuteDeleteAsync(cancellationToken);
    }

    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(20);
    /// <summary>A run's payloads are held together: a room's burst of files goes one or a few at a time (the first always goes).</summary>
    private const long MaxRunBytes = 4 * 1024 * 1024;
}

/// <summary>A delivery this worker claimed, with what its POST needs: the webhook's URL and opened secret.</summary>
/// <param name="LeasedUntil">The lease this worker took on it: the row is ours while next_attempt_at still says so.</param>
/// <param name="TraceParent">The trace its event was stored in, which its POST continues (none for events stored before traces were kept).</param>
public sealed record ClaimedDelivery(long Id, int WebhookId, int IdentityId, string RoomId, string EventId, string Url, string Secret,
    byte[] Payload, DateTime LeasedUntil, string? TraceParent = null);
