namespace Gateway.SyncWorker;

/// <summary>
/// This process among the SyncWorker replicas: the holder of its sync leases and of the webhook deliveries it claims.
/// Its row in <c>sync_workers</c>, renewed with its leases, says it is alive; a replica not seen for
/// <paramref name="GoneAfter"/> (killed, without the goodbye that deletes the row) holds nothing any more.
/// </summary>
/// <param name="Name">Unique per process: a restarted replica never mistakes its predecessor's leases for its own.</param>
public sealed record WorkerPresence(string Name, TimeSpan GoneAfter)
{
    public static string NewName() => $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
}
