using System.Collections.Concurrent;
using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Gateway.Bench;

/// <summary>
/// One running replica: its instance id (<c>syncworker-abcd</c>), the <c>dotnet run</c> launcher's process and the app
/// process it started (the launcher's child), and the replica's own address.
/// </summary>
public sealed record Replica(string Resource, string Id, int LauncherPid, Uri? Address)
{
    /// <summary>The app itself: the launcher's descendant that is not a <c>dotnet run</c> (or the launcher, if it runs the app directly).</summary>
    public int? AppPid()
    {
        var children = ProcessStats.Descendants(LauncherPid);
        foreach (var pid in children)
        {
            var commandLine = ProcessStats.CommandLine(pid);
            if (commandLine.Contains("Gateway.", StringComparison.Ordinal) && !commandLine.Contains(" run ", StringComparison.Ordinal))
            {
                return pid;
            }
        }
        return ProcessStats.Exists(LauncherPid) && children.Count == 0 ? LauncherPid : null;
    }

    /// <summary>Whether the lease holder name <c>machine:pid:guid</c> is this replica's (its pid is the app or the launcher).</summary>
    public bool Holds(string holder)
    {
        var parts = holder.Split(':');
        return parts.Length >= 2 && int.TryParse(parts[^2], out var pid) && Tree().Contains(pid);
    }

    private HashSet<int>? tree;

    /// <summary>The launcher and its descendants, read once they exist (reading /proc per lease would take long for 1 000).</summary>
    private HashSet<int> Tree()
    {
        if (tree is not null)
        {
            return tree;
        }
        var descendants = ProcessStats.Descendants(LauncherPid);
        HashSet<int> found = [LauncherPid, .. descendants];
        if (descendants.Count > 0)
        {
            tree = found;
        }
        return found;
    }

    /// <summary>kill -9 of the launcher and everything under it: no chance to finish or hand anything over.</summary>
    public async Task KillAsync()
    {
        using var process = Process.GetProcessById(LauncherPid);
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }
}

/// <summary>Follows every resource's state from the start, so a replica can be found (and killed) rather than its proxy.</summary>
public sealed class Replicas : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ResourceEvent> instances = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task watching;

    public Replicas(DistributedApplication app) =>
        watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in app.ResourceNotifications.WatchAsync(stop.Token))
                {
                    instances[e.ResourceId] = e;
                }
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        });

    /// <summary>The resource's replicas that run now.</summary>
    public IReadOnlyList<Replica> Of(string resource) =>
    [
        .. instances.Values
            .Where(e => e.Resource.Name == resource && e.Snapshot.State?.Text == KnownResourceStates.Running)
            .Select(e => new Replica(resource, e.ResourceId,
                Convert.ToInt32(e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value ?? 0),
                e.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value is { } urls ? new Uri(urls.Split(';')[0]) : null))
            .Where(r => r.LauncherPid > 0)
            .OrderBy(r => r.Id),
    ];

    /// <summary>Waits until <paramref name="count"/> replicas of the resource run (at most <paramref name="timeout"/>).</summary>
    public async Task<IReadOnlyList<Replica>> WaitForAsync(string resource, int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Of(resource).Count < count && clock.Elapsed < timeout)
        {
            await Task.Delay(200);
        }
        return Of(resource);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await watching;
        stop.Dispose();
    }
}

/// <summary>A process's memory and CPU time, read from /proc.</summary>
public static class ProcessStats
{
    private static readonly long TicksPerSecond = 100; // USER_HZ: 100 on Linux everywhere it matters

    public static bool Exists(int pid) => Directory.Exists($"/proc/{pid}");

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>VmRSS in MB, or NaN when the process is gone.</summary>
    public static double RssMb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>utime + stime in seconds, or NaN when the process is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        var fields = StatFields(pid);
        return fields is null ? double.NaN : (long.Parse(fields[11]) + long.Parse(fields[12])) / (double)TicksPerSecond;
    }

    /// <summary>Every process under <paramref name="pid"/>, children before grandchildren.</summary>
    public static List<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var child) && StatFields(child) is { } fields && int.TryParse(fields[1], out var parent))
            {
                (parents.TryGetValue(parent, out var list) ? list : parents[parent] = []).Add(child);
            }
        }
        var found = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var next))
        {
            foreach (var child in parents.GetValueOrDefault(next) ?? [])
            {
                found.Add(child);
                queue.Enqueue(child);
            }
        }
        return found;
    }

    /// <summary>The fields of /proc/pid/stat after "pid (comm)": [0] state, [1] ppid, … [11] utime, [12] stime.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat"); // comm may hold spaces and parentheses
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
