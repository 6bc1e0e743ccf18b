using System.Diagnostics;

namespace Gateway.Bench;

/// <summary>
/// How many identities a SyncWorker carries: for each count, a fresh system with one replica, then the largest count on
/// two. A busy identity (a linked device receiving a steady flow) is measured alone first, then that many idle identities
/// are created through the Api, and the run reports the time until every identity's loop runs (its lease is held and
/// unexpired, by the database's clock: the supervisor takes the lease and starts the loop together), each replica's RSS
/// and idle CPU, and the busy identity's p99 among them beside its p99 alone.
/// </summary>
public static class Identities
{
    private const int InFlight = 8;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AllRunningTimeout = TimeSpan.FromMinutes(10);

    public static async Task RunAsync(int[] counts, int busyMessages, double busyRate)
    {
        foreach (var count in counts)
        {
            await OneSystemAsync(count, replicas: 1, busyMessages, busyRate);
        }
        await OneSystemAsync(counts.Max(), replicas: 2, busyMessages, busyRate);
    }

    private static async Task OneSystemAsync(int count, int replicas, int busyMessages, double busyRate)
    {
        Console.WriteLine();
        Console.WriteLine($"== {count} idle identities on {replicas} SyncWorker replica{(replicas > 1 ? "s" : "")} ==");
        var clock = Stopwatch.StartNew();
        try
        {
            await using var system = await BenchSystem.StartAsync($"--Gateway:SyncWorkerReplicas={replicas}");
            Console.WriteLine($"system started in {clock.Elapsed.TotalSeconds:F0} s");
            await MeasureAsync(system, count, replicas, busyMessages, busyRate);
        }
        catch (Exception e)
        {
            Console.WriteLine($"!! {count} identities on {replicas} replica(s) stopped after {clock.Elapsed.TotalSeconds:F0} s: {e.GetType().Name}: {e.Message}");
        }
    }

    private static async Task MeasureAsync(BenchSystem system, int count, int replicaCount, int busyMessages, double busyRate)
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
        await using var receiver = HookReceiver.Start();
        var busy = await Flow.NewBusyDeviceAsync(system, receiver, "237600000101", "237600000102");

        // Baseline, in this run: the busy identity alone (with the host identity, if any), and what the worker costs then.
        var alone = await BusyAsync(system, receiver, busy, busyMessages, busyRate);
        var aloneIdle = await IdleAsync(replicas);

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

        var loaded = await IdleAsync(replicas);
        var among = await BusyAsync(system, receiver, busy, busyMessages, busyRate);
        var busyHolder = (await system.LeaseHoldersAsync()).GetValueOrDefault(busy.IdentityId);
        var busyReplica = replicas.FirstOrDefault(r => busyHolder is not null && r.Holds(busyHolder))?.Id ?? "no replica (lease not held)";

        Console.WriteLine();
        Console.WriteLine($"{count} idle identities + the busy one on {replicaCount} replica(s):");
        Console.WriteLine(runningAfter is { } after
            ? $"all loops running        {after.TotalSeconds,8:F1} s after the first creation   ({total} identities, each with an unexpired lease; creating took {createdIn.TotalSeconds:F1} s)"
            : $"all loops running        not within {AllRunningTimeout.TotalMinutes:F0} min: {held} of {total} identities held an unexpired lease");
        Console.WriteLine($"leases per replica       {shares}");
        foreach (var replica in replicas)
        {
            var before = aloneIdle.GetValueOrDefault(replica.Id);
            var now = loaded.GetValueOrDefault(replica.Id);
            Console.WriteLine($"{replica.Id,-24} RSS {now.RssMb,6:F0} MB (alone {before.RssMb,4:F0} MB; target < 300 MB for 1 000)   " +
                $"idle CPU {now.CpuPercent,5:F2} % of a core over {Idle.TotalSeconds:F0} s (alone {before.CpuPercent:F2} %; target < 5 %)");
        }
        Console.WriteLine($"busy identity, {busyMessages} msgs at {busyRate}/s, inject -> webhook (synced by {busyReplica}):");
        Console.WriteLine($"  alone                  p50 {Flow.Percentile(alone.LatenciesMs, 50),6:F0} ms   p99 {Flow.Percentile(alone.LatenciesMs, 99),6:F0} ms   ({alone.LatenciesMs.Count} delivered, {Flow.Refusals(alone.Refused)})");
        Console.WriteLine($"  among {count,-6}          p50 {Flow.Percentile(among.LatenciesMs, 50),6:F0} ms   p99 {Flow.Percentile(among.LatenciesMs, 99),6:F0} ms   ({among.LatenciesMs.Count} delivered, {Flow.Refusals(among.Refused)})");
        var ratio = Flow.Percentile(among.LatenciesMs, 99) / Flow.Percentile(alone.LatenciesMs, 99);
        Console.WriteLine($"  p99 among / alone      {ratio,6:F2}   (target <= 1.20)");
    }

    private sealed record Busy(List<double> LatenciesMs, IReadOnlyDictionary<string, int> Refused);

    private static async Task<Busy> BusyAsync(BenchSystem system, HookReceiver receiver, BusyDevice busy, int messages, double rate)
    {
        var (accepted, refused) = await Flow.SteadyAsync(system, [busy], messages, rate);
        await Flow.WaitForAllAsync(receiver, accepted, TimeSpan.FromSeconds(60));
        return new Busy(Flow.LatenciesMs(receiver, accepted), refused);
    }

    private readonly record struct Usage(double RssMb, double CpuPercent);

    /// <summary>Each replica's app process: RSS now, and CPU (utime + stime) over <see cref="Idle"/> of nothing happening.</summary>
    private static async Task<Dictionary<string, Usage>> IdleAsync(IReadOnlyList<Replica> replicas)
    {
        var pids = replicas.ToDictionary(r => r.Id, r => r.AppPid());
        var start = pids.ToDictionary(p => p.Key, p => p.Value is { } pid ? ProcessStats.CpuSeconds(pid) : double.NaN);
        var clock = Stopwatch.StartNew();
        await Task.Delay(Idle);
        var seconds = clock.Elapsed.TotalSeconds;
        return pids.ToDictionary(p => p.Key, p => p.Value is { } pid
            ? new Usage(ProcessStats.RssMb(pid), (ProcessStats.CpuSeconds(pid) - start[p.Key]) / seconds * 100)
            : new Usage(double.NaN, double.NaN));
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
