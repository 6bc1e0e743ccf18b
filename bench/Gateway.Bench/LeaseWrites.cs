using System.Diagnostics;

namespace Gateway.Bench;

/// <summary>
/// What keeping idle identities' leases costs PostgreSQL: a fresh system with one SyncWorker, that many idle identities
/// created through the Api, a warm-up until every loop runs, then the database's own counters over a quiet window:
/// rows updated in the identities' and the replicas' tables, and transactions committed, per second. Run on two
/// builds to compare them; nothing else writes while the identities idle.
/// </summary>
public static class LeaseWrites
{
    private static readonly TimeSpan Warm = TimeSpan.FromSeconds(15);

    public static async Task RunAsync(int count, int seconds)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await using var system = await BenchSystem.StartAsync();
            Console.WriteLine($"system started in {clock.Elapsed.TotalSeconds:F0} s; creating {count} idle identities...");
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (_, _) => await system.NewIdentityAsync());
            var started = Stopwatch.StartNew();
            while ((await system.LeaseHoldersAsync()).Values.Count(h => h is not null) < count && started.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(500);
            }
            Console.WriteLine($"{count} loops running after {started.Elapsed.TotalSeconds:F0} s; warming up {Warm.TotalSeconds:F0} s");
            await Task.Delay(Warm);

            var before = await system.DatabaseCountersAsync();
            var window = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var after = await system.DatabaseCountersAsync();
            var elapsed = window.Elapsed.TotalSeconds;
            Console.WriteLine($"over {elapsed:F0} s with {count} idle identities on one SyncWorker (per second):");
            Console.WriteLine($"  matrix_identities rows updated  {(after.IdentityUpdates - before.IdentityUpdates) / elapsed,8:F1}");
            Console.WriteLine($"  sync_workers rows updated       {(after.WorkerUpdates - before.WorkerUpdates) / elapsed,8:F1}");
            Console.WriteLine($"  transactions committed (all)    {(after.Commits - before.Commits) / elapsed,8:F1}");
        }
        catch (Exception e)
        {
            Console.WriteLine($"!! lease writes stopped after {clock.Elapsed.TotalSeconds:F0} s: {e.GetType().Name}: {e.Message}");
        }
    }
}
