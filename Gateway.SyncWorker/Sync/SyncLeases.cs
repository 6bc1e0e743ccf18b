using Gateway.Shared.Data;
using Microsoft.EntityFrameworkCore;

namespace Gateway.SyncWorker.Sync;

/// <summary>
/// The identities' sync leases and the replicas' presence, in Postgres: the fence is checked by the same database, in
/// the same statement, as the sync token it guards, and leases outlive a Redis restart. An identity's lease is its
/// holder and fence; it lasts while the holder's presence is fresh (seen within the lease's duration, by the database's
/// clock), so one statement per renewal keeps every lease of a replica, and no identity's row is written to keep it.
/// (Ad hoc result types map to snake_case columns, like the entities.)
/// </summary>
public sealed class SyncLeases(GatewayDb db)
{
    /// <param name="TakenOver">Whether another replica held it (one no longer seen): a takeover, not a free identity.</param>
    public sealed record Taken(int Id, string UserId, byte[] AccessTokenCipher, long Fence, bool TakenOver);

    /// <summary>What a renewal finds: the identities <c>holder</c> holds, how many there are, and how many replicas are live.</summary>
    public sealed record Renewal(int[] Held, int Identities, int Workers);

    /// <summary>
    /// Marks <paramref name="holder"/> alive, which extends every lease it holds, and reads what balancing needs: one
    /// statement. Presence unseen for a day is forgotten. (A data-modifying CTE's changes are not visible to the rest
    /// of its statement: the holder itself is counted apart.)
    /// </summary>
    public async Task<Renewal> RenewAsync(string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        // Read as a list: EF Core composes SingleAsync into a subquery, where a data-modifying WITH may not stand.
        (await db.Database.SqlQuery<Renewal>(
            $"""
            WITH seen AS (INSERT INTO sync_workers (name, seen_at) VALUES ({holder}, now())
                          ON CONFLICT (name) DO UPDATE SET seen_at = now() RETURNING name),
                 forgotten AS (DELETE FROM sync_workers WHERE seen_at < now() - interval '1 day' AND name <> {holder})
            SELECT ARRAY(SELECT id FROM matrix_identities WHERE sync_lease_holder = {holder}) AS held,
                   (SELECT count(*)::int FROM matrix_identities) AS identities,
                   (SELECT count(*)::int FROM sync_workers WHERE seen_at > now() - {duration} AND name <> {holder})
                     + (SELECT count(*)::int FROM seen) AS workers
            """).ToListAsync(cancellationToken)).Single();

    /// <summary>
    /// Takes up to <paramref name="count"/> identities nobody holds (or whose holder is no longer seen, or that this
    /// replica holds without a loop: one it stopped when it could not renew in time), raising each fence so the previous
    /// holder's writes are refused. Replicas taking at once skip each other's rows.
    /// </summary>
    public Task<List<Taken>> AcquireAsync(string holder, int count, int[] running, TimeSpan duration, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<Taken>(
            $"""
            UPDATE matrix_identities m SET sync_lease_holder = {holder}, sync_lease_fence = m.sync_lease_fence + 1
            FROM (SELECT i.id, i.sync_lease_holder AS previous FROM matrix_identities i
                  WHERE (i.sync_lease_holder IS NULL OR i.sync_lease_holder = {holder}
                         OR NOT EXISTS (SELECT 1 FROM sync_workers w
                                        WHERE w.name = i.sync_lease_holder AND w.seen_at > now() - {duration}))
                    AND NOT (i.id = ANY({running}))
                  ORDER BY i.id LIMIT {count} FOR UPDATE OF i SKIP LOCKED) free
            WHERE m.id = free.id
            RETURNING m.id, m.user_id, m.access_token_cipher, m.sync_lease_fence AS fence,
                      COALESCE(free.previous <> {holder}, false) AS taken_over
            """).ToListAsync(cancellationToken);

    /// <summary>Hands leases back at once, for another replica to take without waiting for them to expire.</summary>
    public Task ReleaseAsync(string holder, int[] identityIds, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            UPDATE matrix_identities SET sync_lease_holder = NULL
            WHERE sync_lease_holder = {holder} AND id = ANY({identityIds})
            """, cancellationToken);

    public Task LeaveAsync(string holder, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"DELETE FROM sync_workers WHERE name = {holder}", cancellationToken);
}
