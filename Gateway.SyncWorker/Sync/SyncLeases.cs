using Gateway.Shared.Data;
using Microsoft.EntityFrameworkCore;

namespace Gateway.SyncWorker.Sync;

/// <summary>
/// The identities' sync leases and the replicas' presence, in Postgres: the fence is checked by the same database, in
/// the same statement, as the sync token it guards, and leases outlive a Redis restart. Expiry is the database's clock.
/// (Ad hoc result types map to snake_case columns, like the entities.)
/// </summary>
public sealed class SyncLeases(GatewayDb db)
{
    public sealed record Taken(int Id, string UserId, byte[] AccessTokenCipher, long Fence);

    public sealed record Census(int Identities, int Workers);

    /// <summary>Marks <paramref name="holder"/> alive and extends its leases of <paramref name="identityIds"/>; returns those it still holds.</summary>
    public async Task<HashSet<int>> RenewAsync(string holder, int[] identityIds, TimeSpan duration, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO sync_workers (name, seen_at) VALUES ({holder}, now()) ON CONFLICT (name) DO UPDATE SET seen_at = now();
            DELETE FROM sync_workers WHERE seen_at < now() - interval '1 day';
            """, cancellationToken);
        var held = await db.Database.SqlQuery<int>(
            $"""
            UPDATE matrix_identities SET sync_lease_expires_at = now() + {duration}
            WHERE sync_lease_holder = {holder} AND id = ANY({identityIds})
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
        return [.. held];
    }

    /// <summary>How many identities there are, and how many replicas were seen within one lease.</summary>
    public Task<Census> CountAsync(TimeSpan duration, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<Census>(
            $"""
            SELECT (SELECT count(*)::int FROM matrix_identities) AS identities,
                   (SELECT count(*)::int FROM sync_workers WHERE seen_at > now() - {duration}) AS workers
            """).SingleAsync(cancellationToken);

    /// <summary>
    /// Takes up to <paramref name="count"/> identities nobody holds (or whose holder let its lease lapse, or that this
    /// replica holds without a loop: one it stopped when it could not renew in time), raising each fence so the previous
    /// holder's writes are refused. Replicas taking at once skip each other's rows.
    /// </summary>
    public Task<List<Taken>> AcquireAsync(string holder, int count, int[] running, TimeSpan duration, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<Taken>(
            $"""
            UPDATE matrix_identities SET sync_lease_holder = {holder}, sync_lease_fence = sync_lease_fence + 1,
                                         sync_lease_expires_at = now() + {duration}
            WHERE id IN (SELECT id FROM matrix_identities
                         WHERE (sync_lease_holder IS NULL OR sync_lease_holder = {holder}
                                OR sync_lease_expires_at IS NULL OR sync_lease_expires_at < now())
                           AND NOT (id = ANY({running}))
                         ORDER BY id LIMIT {count} FOR UPDATE SKIP LOCKED)
            RETURNING id, user_id, access_token_cipher, sync_lease_fence AS fence
            """).ToListAsync(cancellationToken);

    /// <summary>Hands leases back at once, for another replica to take without waiting for them to expire.</summary>
    public Task ReleaseAsync(string holder, int[] identityIds, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            UPDATE matrix_identities SET sync_lease_holder = NULL, sync_lease_expires_at = NULL
            WHERE sync_lease_holder = {holder} AND id = ANY({identityIds})
            """, cancellationToken);

    public Task LeaveAsync(string holder, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"DELETE FROM sync_workers WHERE name = {holder}", cancellationToken);
}
