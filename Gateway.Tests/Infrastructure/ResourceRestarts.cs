namespace Gateway.Tests.Infrastructure;

/// <summary>Stopping and starting one of the app's processes, as an operator (or a crash and a supervisor) would.</summary>
public static class ResourceRestarts
{
    public static async Task StopAsync(this GatewayApp app, string resource)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var stopped = await app.App.ResourceCommands.ExecuteCommandAsync(resource, "resource-stop", timeout.Token);
        Assert.True(stopped.Success, $"stopping {resource}: {stopped.Message}");
        await app.App.ResourceNotifications.WaitForResourceAsync(resource,
            e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), timeout.Token);
    }

    public static async Task StartAsync(this GatewayApp app, string resource)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        // Right after a stop the resource may not accept a start yet: ask again until it does.
        while (true)
        {
            var started = await app.App.ResourceCommands.ExecuteCommandAsync(resource, "resource-start", timeout.Token);
            if (started.Success)
            {
                break;
            }
            await Task.Delay(500, timeout.Token);
        }
        // Right after the start its last state may still be the stop's: wait through that instead of taking it as a failure.
        await app.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, WaitBehavior.WaitOnResourceUnavailable, timeout.Token);
    }

    /// <summary>
    /// Freezes a resource's processes (SIGSTOP to it and everything it started) until disposed (SIGCONT): a server
    /// that accepts connections and never answers, the way a hung homeserver looks to its clients.
    /// </summary>
    public static async Task<IAsyncDisposable> FreezeAsync(this GatewayApp app, string resource)
    {
        Assert.True(app.App.ResourceNotifications.TryGetCurrentState(resource, out var state), $"{resource} is not known");
        var root = Convert.ToInt32(state!.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value);
        var processes = WithDescendants(root);
        // Should the test run die before it thaws them, a watchdog does, rather than leave a stopped homeserver behind
        // (its output let go at once, so the test host never waits on it).
        System.Diagnostics.Process.Start("sh", ["-c", $"exec </dev/null >/dev/null 2>&1; sleep 120; kill -CONT {string.Join(' ', processes)}"])!.Dispose();
        await SignalAsync("-STOP", processes);
        return new Thaw(() => SignalAsync("-CONT", processes));
    }

    private static List<int> WithDescendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var stat in Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "stat")).Where(File.Exists))
        {
            try
            {
                var text = File.ReadAllText(stat); // pid (comm) state ppid ...: comm may hold spaces, so read after its ')'
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                parents[int.Parse(text[..text.IndexOf(' ')])] = int.Parse(fields[1]);
            }
            catch (IOException)
            {
                // the process ended meanwhile
            }
        }
        var all = new List<int> { root };
        for (var i = 0; i < all.Count; i++)
        {
            all.AddRange(parents.Where(p => p.Value == all[i]).Select(p => p.Key));
        }
        return all;
    }

    private static async Task SignalAsync(string signal, List<int> processes)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [signal, .. processes.Select(p => p.ToString())])!;
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill {signal} {string.Join(' ', processes)} failed");
    }

    private sealed class Thaw(Func<Task> thaw) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await thaw();
    }
}
