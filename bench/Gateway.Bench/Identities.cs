using System.Diagnostics;

namespace Gateway.Bench;

/// <summary>
/// How many identities a SyncWorker carries: for each count, a fresh system with that many replicas (one unless the
/// count says <c>x2</c>). A busy identity (a linked device receiving a steady flow) and the idle worker are measured warm (after a
/// discarded warm-up) in rounds alone, then that many idle identities are created through the Api, and after another
/// warm-up the same rounds run among them. Each figure is the median of its rounds with its spread (min–max): each
/// replica's RSS and idle CPU, the busy identity's p50/p99, and the homeserver's side (Synapse's RSS and CPU, and its
/// /sync requests per second beside the floor of one long-poll per identity per timeout), and the time until every
/// identity's loop runs (its lease is held by a live replica: the supervisor takes the lease and starts the loop together).
/// </summary>
public static class Identities
{
    private const int InFlight = 8;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WarmUpIdle = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(30); // SyncLoop.LongPoll
    private static readonly TimeSpan AllRunningTimeout = TimeSpan.FromMinutes(10);

    /// <param name="systems">Each system's idle identities and SyncWorker replicas.</param>
    public static async Task RunAsync(IEnumerable<(int Count, int Replicas)> systems, int busyMessages, double busyRate, int rounds)
    {
        foreach (var (count, replicas) in systems)
        {
            await OneSystemAsync(count, replicas, busyMessages, busyRate, rounds);
        }
    }

    private static async Task OneSystemAsync(int count, int replicas, int busyMessages, double busyRate, int rounds)
    {
        Console.WriteLine();
        Console.WriteLine($"== {count} idle identities on {replicas} SyncWorker replica{(replicas > 1 ? "s" : "")}, {rounds} rounds each side ==");
        var clock = Stopwatch.StartNew();
        try
        {
            await using var system = await BenchSystem.StartAsync(homeserverAccessLog: true, $"--Gateway:SyncWorkerReplicas={replicas}");
            Console.WriteLine($"system started in {clock.Elapsed.TotalSeconds:F0} s");
            await MeasureAsync(system, count, replicas, new Load(busyMessages, busyRate), rounds);
        }
        catch (Exception e)
        {
            Console.WriteLine($"!! {count} identities on {replicas} replica(s) stopped after {clock.Elapsed.TotalSeconds:F0} s: {e.GetType().Name}: {e.Message}");
        }
    }

    private sealed record Load(int Messages, double Rate);

    private static async Task MeasureAsync(BenchSystem system, int count, int replicaCount, Load load, int rounds)
    {
        var replicas = await system.Replicas.WaitForAsync("syncworker", replicaCount, TimeSpan.FromSeconds(60));
        if (replicas.Count < replicaCount)
        {
            Console.WriteLine($"only {replicas.Count} of {replicaCount} SyncWorker replicas were seen running; per-replica numbers cover those");
        }
        foreach (var replica in replicas)
        {
            var app = replica.AppPid();
            Console.WriteLine($"{replica.Id}: launcher pid {replica.LauncherPid}, app pid {app?.ToString() ?? "not found"}"
                + (app is { } pid ? $" ({ProcessStats.CommandLine(pid).Trim()})" : ""));
        }
        var homeserver = system.HomeserverSide;
        Console.WriteLine($"homeserver: pid {homeserver.Pid()?.ToString() ?? "not found"}, access log {(homeserver.SyncRequests() >= 0 ? "counting /sync" : "missing: /sync not counted")}");
        await using var receiver = HookReceiver.Start();
        var busy = await Flow.NewBusyDeviceAsync(system, receiver, "237600000101", "237600000102");
        // The homeserver's own latency for the busy identity, beside the gateway's: who a slower p99 among is due to.
        var bare = new BareSyncClient(system.Matrix, await system.AccessTokenOfAsync(busy.IdentityId));
        using var stopBare = new CancellationTokenSource();
        var bareSync = bare.RunAsync(stopBare.Token);
        var measure = new Measure(system, receiver, busy, bare, replicas, homeserver, load);

        // Both sides warm and alike: a discarded warm-up (JIT, pools, caches), then the rounds.
        await measure.WarmUpAsync();
        var alone = await measure.RoundsAsync(rounds, "alone");

        // The idle identities, InFlight at a time; progress as they go.
        var created = 0;
        var failures = new List<string>();
        var creation = Stopwatch.StartNew();
        var allRunning = WaitForAllRunningAsync(system, () => Volatile.Read(ref created) + failures.Count >= count, creation);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (_, _) =>
        {
            try
            {
                await system.NewIdentityAsync();
                var done = Interlocked.Increment(ref created);
                if (done % Math.Max(1, count / 10) == 0)
                {
                    Console.WriteLine($"  created {done}/{count} identities in {creation.Elapsed.TotalSeconds:F0} s");
                }
            }
            catch (Exception e)
            {
                lock (failures)
                {
                    failures.Add(e.Message);
                }
            }
        });
        var createdIn = creation.Elapsed;
        Console.WriteLine($"created {created} identities in {createdIn.TotalSeconds:F1} s ({created / createdIn.TotalSeconds:F1}/s, {InFlight} in flight)"
            + (failures.Count > 0 ? $"; {failures.Count} failed, first: {failures[0]}" : ""));
        var (runningAfter, held, total) = await allRunning;
        var shares = await SharesAsync(system, replicas);

        await measure.WarmUpAsync();
        var among = await measure.RoundsAsync(rounds, "among");
        await stopBare.CancelAsync();
        await bareSync;
        var busyHolder = (await system.LeaseHoldersAsync()).GetValueOrDefault(busy.IdentityId);
        var busyReplica = replicas.FirstOrDefault(r => busyHolder is not null && r.Holds(busyHolder))?.Id ?? "no replica (lease not held)";

        Console.WriteLine();
        Console.WriteLine($"{count} idle identities + the busy one on {replicaCount} replica(s); each figure: median of {rounds} rounds (min–max):");
        Console.WriteLine(runningAfter is { } after
            ? $"all loops running          {after.TotalSeconds,8:F1} s after the first creation   ({total} identities, each held by a live replica; creating took {createdIn.TotalSeconds:F1} s)"
            : $"all loops running          not within {AllRunningTimeout.TotalMinutes:F0} min: {held} of {total} identities held by a live replica");
        Console.WriteLine($"leases per replica         {shares}   (each replica's gateway.sync.loops)");
        Console.WriteLine($"{"",-36} {"alone",-24} {"among " + count,-24} target");
        foreach (var replica in replicas)
        {
            Row($"{replica.Id} RSS MB", alone, among, r => r.Workers.GetValueOrDefault(replica.Id).RssMb, "F0", "< 300 for 1 000 per replica");
            Row($"{replica.Id} idle CPU %", alone, among, r => r.Workers.GetValueOrDefault(replica.Id).CpuPercent, "F2", "< 2 % of a core (issue 26: < 1 % with nothing to do)");
        }
        Row("synapse RSS MB", alone, among, r => r.Homeserver.RssMb, "F0", "");
        Row("synapse idle CPU %", alone, among, r => r.Homeserver.CpuPercent, "F2", "");
        Row("synapse /sync per s", alone, among, r => r.SyncPerSecond, "F2", $"floor: one per identity per {LongPoll.TotalSeconds:F0} s = {total / LongPoll.TotalSeconds:F1}/s among");
        Console.WriteLine($"busy identity, {load.Messages} msgs at {load.Rate}/s, inject -> webhook (synced by {busyReplica}):");
        Row("  p50 ms", alone, among, r => r.P50, "F0", "");
        Row("  p99 ms", alone, among, r => r.P99, "F0", "");
        Row("  bare /sync client p99 ms", alone, among, r => r.BareP99, "F0", "inject -> the same user's plain /sync client: the homeserver's own");
        Row("  delivered", alone, among, r => r.Delivered, "F0", $"of {load.Messages}; refused: alone {Flow.Refusals(alone[^1].Refused)}, among {Flow.Refusals(among[^1].Refused)}");
        var ratio = Median(among.Select(r => r.P99)) / Median(alone.Select(r => r.P99));
        var ratios = among.Zip(alone, (a, b) => a.P99 / b.P99).ToList();
        Console.WriteLine($"  p99 among / alone        {ratio,6:F2}   (medians; round by round {string.Join(" ", ratios.Select(x => x.ToString("F2")))}; target <= 1.20)");
    }

    private static void Row(string name, List<Round> alone, List<Round> among, Func<Round, double> figure, string format, string target) =>
        Console.WriteLine($"{name,-36} {Spread(alone.Select(figure), format),-24} {Spread(among.Select(figure), format),-24} {target}");

    private static string Spread(IEnumerable<double> values, string format)
    {
        var list = values.Where(v => !double.IsNaN(v)).ToList();
        return list.Count == 0 ? "n/a" : $"{Median(list).ToString(format)} ({list.Min().ToString(format)}–{list.Max().ToString(format)})";
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private readonly record struct Usage(double RssMb, double CpuPercent);

    /// <summary>One round: an idle window (each replica, the homeserver, its /sync rate), then the busy identity's flow.</summary>
    private sealed record Round(Dictionary<string, Usage> Workers, Usage Homeserver, double SyncPerSecond, double P50, double P99, double BareP99,
        double Delivered, IReadOnlyDictionary<string, int> Refused);

    private sealed class Measure(BenchSystem system, HookReceiver receiver, BusyDevice busy, BareSyncClient bare, IReadOnlyList<Replica> replicas,
        Homeserver homeserver, Load load)
    {
        public async Task WarmUpAsync()
        {
            await BusyAsync();
            await IdleAsync(WarmUpIdle);
        }

        public async Task<List<Round>> RoundsAsync(int rounds, string side)
        {
            var results = new List<Round>(rounds);
            for (var round = 1; round <= rounds; round++)
            {
                var (workers, homeserverUsage, syncPerSecond) = await IdleAsync(Idle);
                var (latencies, bareLatencies, refused) = await BusyAsync();
                results.Add(new Round(workers, homeserverUsage, syncPerSecond, Flow.Percentile(latencies, 50), Flow.Percentile(latencies, 99),
                    Flow.Percentile(bareLatencies, 99), latencies.Count, refused));
                Console.WriteLine($"  {side} round {round}: worker CPU {string.Join(" / ", workers.Values.Select(w => w.CpuPercent.ToString("F2")))} %, "
                    + $"synapse CPU {homeserverUsage.CpuPercent:F2} %, /sync {syncPerSecond:F1}/s, busy p99 {Flow.Percentile(latencies, 99):F0} ms (bare /sync {Flow.Percentile(bareLatencies, 99):F0} ms)");
            }
            return results;
        }

        private async Task<(List<double> LatenciesMs, List<double> BareMs, IReadOnlyDictionary<string, int> Refused)> BusyAsync()
        {
            var (accepted, refused) = await Flow.SteadyAsync(system, [busy], load.Messages, load.Rate);
            await Flow.WaitForAllAsync(receiver, accepted, TimeSpan.FromSeconds(60));
            List<double> bareMs = [.. accepted.Where(m => bare.SeenAt.ContainsKey(m.EventId))
                .Select(m => Stopwatch.GetElapsedTime(m.SentAt, bare.SeenAt[m.EventId].Timestamp).TotalMilliseconds)];
            return (Flow.LatenciesMs(receiver, accepted), bareMs, refused);
        }

        /// <summary>Each replica's app process and the homeserver's: RSS at the end, CPU (utime + stime) over a window of nothing happening.</summary>
        private async Task<(Dictionary<string, Usage> Workers, Usage Homeserver, double SyncPerSecond)> IdleAsync(TimeSpan window)
        {
            var pids = replicas.ToDictionary(r => r.Id, r => r.AppPid());
            var synapse = homeserver.Pid();
            var start = pids.ToDictionary(p => p.Key, p => p.Value is { } pid ? ProcessStats.CpuSeconds(pid) : double.NaN);
            var synapseStart = synapse is { } s ? ProcessStats.CpuSeconds(s) : double.NaN;
            var syncsStart = homeserver.SyncRequests();
            var clock = Stopwatch.StartNew();
            await Task.Delay(window);
            var seconds = clock.Elapsed.TotalSeconds;
            var syncs = homeserver.SyncRequests();
            return (pids.ToDictionary(p => p.Key, p => Usage(p.Value, start[p.Key], seconds)), Usage(synapse, synapseStart, seconds),
                syncsStart < 0 ? double.NaN : (syncs - syncsStart) / seconds);
        }

        private static Usage Usage(int? pid, double cpuStart, double seconds) => pid is { } p
            ? new Usage(ProcessStats.RssMb(p), (ProcessStats.CpuSeconds(p) - cpuStart) / seconds * 100)
            : new Usage(double.NaN, double.NaN);
    }

    /// <summary>From the first creation until every identity (once all are created) holds an unexpired lease; progress every 10 s.</summary>
    private static async Task<(TimeSpan? After, int Held, int Total)> WaitForAllRunningAsync(BenchSystem system, Func<bool> allCreated, Stopwatch creation)
    {
        var lastProgress = TimeSpan.Zero;
        var (held, total) = (0, 0);
        while (creation.Elapsed < AllRunningTimeout)
        {
            try
            {
                var holders = await system.LeaseHoldersAsync();
                (held, total) = (holders.Values.Count(h => h is not null), holders.Count);
            }
            catch (Exception e)
            {
                Console.WriteLine($"  reading the leases failed: {e.Message}");
            }
            if (allCreated() && held == total)
            {
                return (creation.Elapsed, held, total);
            }
            if (creation.Elapsed - lastProgress >= TimeSpan.FromSeconds(10))
            {
                lastProgress = creation.Elapsed;
                Console.WriteLine($"  {creation.Elapsed.TotalSeconds,4:F0} s: {held}/{total} identities hold an unexpired lease");
            }
            await Task.Delay(500);
        }
        return (null, held, total);
    }

    private static async Task<string> SharesAsync(BenchSystem system, IReadOnlyList<Replica> replicas)
    {
        var holders = (await system.LeaseHoldersAsync()).Values.ToList();
        var parts = replicas.Select(r => $"{r.Id} {holders.Count(h => h is not null && r.Holds(h))}").ToList();
        var elsewhere = holders.Count(h => h is not null && !replicas.Any(r => r.Holds(h)));
        return string.Join(", ", parts) + (elsewhere > 0 ? $", {elsewhere} by a process not among the replicas" : "")
            + $", {holders.Count(h => h is null)} not held";
    }
}
