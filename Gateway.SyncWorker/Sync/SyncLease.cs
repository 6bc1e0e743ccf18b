namespace Gateway.SyncWorker.Sync;

/// <summary>
/// This replica's right to sync one identity, as taken in the database (holder and fence), with a local deadline that
/// ends before the database's expiry would: a loop that cannot tell whether it still holds the lease (a network pause
/// longer than the lease, a database that does not answer) stops before it writes instead of racing the new holder.
/// </summary>
public sealed class SyncLease(int identityId, string holder, long fence, TimeProvider clock)
{
    private long heldUntil;

    public int IdentityId { get; } = identityId;
    public string Holder { get; } = holder;
    public long Fence { get; } = fence;

    public bool IsHeld => clock.GetTimestamp() < Interlocked.Read(ref heldUntil);

    /// <summary>Renewed by a statement sent at <paramref name="sentAt"/>: the database counts its expiry from later than that.</summary>
    public void Renewed(long sentAt, TimeSpan duration) =>
        Interlocked.Exchange(ref heldUntil, sentAt + (long)((duration - SafetyMargin).TotalSeconds * clock.TimestampFrequency));

    public void EnsureHeld()
    {
        if (!IsHeld)
        {
            throw new SyncLeaseLostException(IdentityId);
        }
    }

    /// <summary>Room for clocks that run at slightly different rates here and on the database server.</summary>
    private static readonly TimeSpan SafetyMargin = TimeSpan.FromSeconds(2);
}

/// <summary>The loop no longer holds its identity's lease: another replica may be syncing it, so this one must stop.</summary>
public sealed class SyncLeaseLostException(int identityId)
    : Exception($"The sync lease of identity {identityId} is no longer held by this replica");
