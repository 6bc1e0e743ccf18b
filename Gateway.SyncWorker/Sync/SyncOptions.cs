namespace Gateway.SyncWorker.Sync;

/// <summary>How SyncWorker replicas share the identities (section <c>Sync</c>).</summary>
public sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>How long a lease lasts unrenewed: a dead replica's identities are taken over after at most this plus one renewal.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often leases are renewed and the identities rebalanced among the live replicas.</summary>
    public TimeSpan LeaseRenewal { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long announcements of new or handed-back identities are gathered before one rebalance takes them all: a
    /// thousand tokens created at once cost a few rebalances, not a thousand.
    /// </summary>
    public TimeSpan AnnouncementDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a stopping loop is waited for. One that takes longer (stuck in a call that ignores its cancellation) is
    /// left behind: it can write nothing, since its identity's fence rises when a loop is started for it again.
    /// </summary>
    public TimeSpan LoopStopTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
