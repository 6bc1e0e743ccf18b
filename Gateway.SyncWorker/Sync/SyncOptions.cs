namespace Gateway.SyncWorker.Sync;

/// <summary>How SyncWorker replicas share the identities (section <c>Sync</c>).</summary>
public sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>How long a lease lasts unrenewed: a dead replica's identities are taken over after at most this plus one renewal.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often leases are renewed and the identities rebalanced among the live replicas.</summary>
    public TimeSpan LeaseRenewal { get; set; } = TimeSpan.FromSeconds(5);
}
