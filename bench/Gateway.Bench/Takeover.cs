using System.Diagnostics;

namespace Gateway.Bench;

/// <summary>
/// A SyncWorker replica killed (kill -9) while messages flow to the devices it syncs: how long until its identities are
/// held by the other replica and syncing again, and whether any message was lost or delivered twice.
/// </summary>
public static class Takeover
{
    private const int Devices = 4;
    private const int InFlight = 8;
    private const double Rate = 5; // messages per second, over the killed replica's devices
    private static readonly TimeSpan LossWindow = TimeSpan.FromSeconds(90);

    public static async Task RunAsync(int identities, int messages)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await using var system = await BenchSystem.StartAsync("--Gateway:SyncWorkerReplicas=2");
            Console.WriteLine($"system started in {clock.Elapsed.TotalSeconds:F0} s");
            await MeasureAsync(system, identities, messages);
        }
        catch (Exception e)
        {
            Console.WriteLine($"!! takeover stopped after {clock.Elapsed.TotalSeconds:F0} s: {e.GetType().Name}: {e.Message}");
        }
    }

    private static async Task MeasureAsync(BenchSystem system, int identities, int messages)
    {
        var replicas = await system.Replicas.WaitForAsync("syncworker", 2, TimeSpan.FromSeconds(60));
        if (replicas.Count < 2)
        {
            Console.WriteLine($"only {replicas.Count} SyncWorker replica(s) running: no takeover to measure");
            return;
        }
        await using var receiver = HookReceiver.Start();
        var devices = new List<BusyDevice>();
        for (var i = 0; i < Devices; i++)
        {
            devices.Add(await Flow.NewBusyDeviceAsync(system, receiver, $"2376000002{i:D2}", $"2376000003{i:D2}"));
        }
        var failed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, identities), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (_, _) =>
        {
            try
            {
                await system.NewIdentityAsync();
            }
            catch (Exception)
            {
                Interlocked.Increment(ref failed);
            }
        });
        Console.WriteLine($"{Devices} linked devices with webhooks and {identities - failed} idle identities created{(failed > 0 ? $" ({failed} failed)" : "")}");

        // Both replicas carry a share before the kill.
        var holders = await system.LeaseHoldersAsync();
        var settle = Stopwatch.StartNew();
        while ((holders.Values.Any(h => h is null) || replicas.Any(r => !holders.Values.Any(h => h is not null && r.Holds(h)))) && settle.Elapsed < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(1000);
            holders = await system.LeaseHoldersAsync();
        }
        var victim = replicas.OrderByDescending(r => devices.Count(d => holders.GetValueOrDefault(d.IdentityId) is { } h && r.Holds(h))).First();
        var victimDevices = devices.Where(d => holders.GetValueOrDefault(d.IdentityId) is { } h && victim.Holds(h)).ToList();
        Console.WriteLine($"leases: {string.Join(", ", replicas.Select(r => $"{r.Id} {holders.Values.Count(h => h is not null && r.Holds(h))}"))}, {holders.Values.Count(h => h is null)} not held");
        if (victimDevices.Count == 0)
        {
            Console.WriteLine("no replica syncs a linked device: nothing to measure");
            return;
        }

        long killedAt = 0;
        HashSet<int> victimIdentities = [];
        HashSet<string> victimNames = [];
        TimeSpan? takenOver = null;
        string takeoverState = "";
        async Task KillAndWatchAsync()
        {
            try
            {
                await KillAndPollAsync();
            }
            catch (Exception e)
            {
                Console.WriteLine($"  the kill or the lease polling failed: {e.GetType().Name}: {e.Message}");
            }
        }
        async Task KillAndPollAsync()
        {
            var before = await system.LeaseHoldersAsync();
            victimNames = [.. before.Values.OfType<string>().Where(victim.Holds)];
            victimIdentities = [.. before.Where(h => h.Value is not null && victimNames.Contains(h.Value)).Select(h => h.Key)];
            killedAt = Stopwatch.GetTimestamp();
            await victim.KillAsync();
            Console.WriteLine($"  killed {victim.Id} (kill -9 of pid {victim.LauncherPid} and its children), which held {victimIdentities.Count} identities");
            while (Stopwatch.GetElapsedTime(killedAt) < TimeSpan.FromMinutes(2))
            {
                var now = await system.LeaseHoldersAsync();
                var moved = victimIdentities.Count(id => now.GetValueOrDefault(id) is { } h && !victimNames.Contains(h));
                takeoverState = $"{moved}/{victimIdentities.Count} of its identities held elsewhere";
                if (moved == victimIdentities.Count)
                {
                    takenOver = Stopwatch.GetElapsedTime(killedAt);
                    return;
                }
                await Task.Delay(200);
            }
        }

        Console.WriteLine($"injecting {messages} messages at {Rate}/s to the {victimDevices.Count} device(s) synced by {victim.Id}; the kill comes at message {messages / 3}");
        var (accepted, refused) = await Flow.SteadyAsync(system, victimDevices, messages, Rate, messages / 3, KillAndWatchAsync);
        await Flow.WaitForAllAsync(receiver, accepted, LossWindow);
        await Task.Delay(TimeSpan.FromSeconds(3)); // a double would follow close behind

        var lost = accepted.Count(m => receiver.FirstArrival(m.Device.Path, m.EventId) is null);
        var doubled = receiver.Arrivals.Where(a => a.Value.Count > 1).ToList();
        // Syncing again: per device, the first message injected after the kill that reached its webhook.
        var resumed = victimDevices.Select(d => accepted.Where(m => m.Device == d && m.SentAt >= killedAt)
                .Select(m => receiver.FirstArrival(d.Path, m.EventId)).OfType<long>().DefaultIfEmpty(0).Min())
            .ToList();
        var firstAfterKill = receiver.Arrivals.Values.SelectMany(a => a).Where(t => t > killedAt).DefaultIfEmpty(0).Min();
        var survivors = system.Replicas.Of("syncworker");

        Console.WriteLine();
        Console.WriteLine($"takeover: {victimIdentities.Count} identities on the killed replica ({victimDevices.Count} with a device receiving), {accepted.Count} messages accepted, {Flow.Refusals(refused)}");
        Console.WriteLine(takenOver is { } t
            ? $"kill -> all its identities held elsewhere   {t.TotalSeconds,6:F1} s   (unexpired lease of another holder; target < 30 s)"
            : $"kill -> all its identities held elsewhere   not within 2 min: {takeoverState}");
        Console.WriteLine(resumed.All(r => r > 0)
            ? $"kill -> every device's first post-kill message delivered   {resumed.Max(r => Stopwatch.GetElapsedTime(killedAt, r).TotalSeconds),6:F1} s   (first webhook arrival of any kind after the kill: {(firstAfterKill > 0 ? $"{Stopwatch.GetElapsedTime(killedAt, firstAfterKill).TotalSeconds:F1} s" : "none")})"
            : $"kill -> every device's first post-kill message delivered   not all: {resumed.Count(r => r > 0)}/{victimDevices.Count} devices got one");
        Console.WriteLine($"lost      {lost,6}   (accepted, not at the webhook {LossWindow.TotalSeconds:F0} s after the last injection; target 0)");
        Console.WriteLine($"doubled   {doubled.Count,6}   (same event id delivered more than once to the same webhook; target 0)"
            + (doubled.Count > 0 ? $": {string.Join(", ", doubled.Take(5).Select(d => $"{d.Key.EventId}×{d.Value.Count}"))}" : ""));
        Console.WriteLine($"replicas running afterwards: {string.Join(", ", survivors.Select(r => r.Id))}");
    }
}
