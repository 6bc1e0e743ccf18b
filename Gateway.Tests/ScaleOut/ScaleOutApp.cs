using System.Collections.Concurrent;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Webhooks;

namespace Gateway.Tests.ScaleOut;

/// <summary>
/// Two Api replicas and two SyncWorker replicas behind the real AppHost, with the sandbox bridge. It follows every
/// replica's state, so tests can address (and kill) one of them rather than the proxy in front of them.
/// </summary>
public class ScaleOutApp : WebhooksApp
{
    private readonly ConcurrentDictionary<string, ResourceEvent> instances = new();
    private readonly CancellationTokenSource stopWatching = new();

    protected override IEnumerable<string> Settings => [.. base.Settings, "--Gateway:ApiReplicas=2", "--Gateway:SyncWorkerReplicas=2"];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _ = Task.Run(async () =>
        {
            await foreach (var e in App.ResourceNotifications.WatchAsync(stopWatching.Token))
            {
                instances[e.ResourceId] = e;
            }
        });
        await Eventually.HoldsAsync(() => ReplicasOf("api").Count == 2 && ReplicasOf("syncworker").Count == 2, TimeSpan.FromSeconds(30));
    }

    /// <summary>The resource's replicas that are running now.</summary>
    public IReadOnlyList<Replica> ReplicasOf(string resource) =>
    [
        .. instances.Values
            .Where(e => e.Resource.Name == resource && e.Snapshot.State?.Text == KnownResourceStates.Running)
            .Select(e => new Replica(resource, e.ResourceId,
                Convert.ToInt32(e.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value),
                new Uri(e.Snapshot.EnvironmentVariables.Single(v => v.Name == "ASPNETCORE_URLS").Value!.Split(';')[0]))),
    ];

    /// <summary>Stops one replica as an operator would (a graceful stop), and waits until its process has ended.</summary>
    public async Task StopAsync(Replica replica)
    {
        var stopped = await App.ResourceCommands.ExecuteCommandAsync(replica.Id, KnownResourceCommands.StopCommand);
        Assert.True(stopped.Success, $"stopping {replica.Id}: {stopped.Message}");
        await Eventually.HoldsAsync(() => KnownResourceStates.TerminalStates.Contains(instances[replica.Id].Snapshot.State?.Text),
            TimeSpan.FromSeconds(90), () => $"{replica.Id} is still {instances[replica.Id].Snapshot.State?.Text}");
    }

    /// <summary>Starts a stopped or killed replica again, and waits until its new process runs.</summary>
    public async Task StartAsync(Replica replica)
    {
        await Eventually.HoldsAsync(async () => (await App.ResourceCommands.ExecuteCommandAsync(replica.Id, KnownResourceCommands.StartCommand)).Success,
            TimeSpan.FromSeconds(60), () => $"{replica.Id} does not start"); // right after a stop it may not accept a start yet
        await Eventually.HoldsAsync(() => ReplicasOf(replica.Resource).Any(r => r.Id == replica.Id && r.ProcessId != replica.ProcessId),
            TimeSpan.FromSeconds(120), () => $"{replica.Id} is {instances[replica.Id].Snapshot.State?.Text}");
    }

    public override async Task DisposeAsync()
    {
        await stopWatching.CancelAsync();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ScaleOutCollection : ICollectionFixture<ScaleOutApp>
{
    public const string Name = "scale-out";
}
