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
        await app.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }
}
