using Gateway.Sandbox.Matrix;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// Starts each bridge once the homeserver answers (bot registered, display name set, a ping so the homeserver
/// delivers what it queued while we were down), then handles queued events one by one.
/// </summary>
public sealed class BridgeWorker(Bridges bridges, EventQueue queue, EventRouter router, BridgeReadiness readiness,
    IHostApplicationLifetime lifetime, ILogger<BridgeWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The homeserver answers a ping by calling us back, so our HTTP endpoint must be listening first.
        await WhenStartedAsync(stoppingToken);
        foreach (var bridge in bridges.All)
        {
            await StartBridgeAsync(bridge, stoppingToken);
        }
        readiness.Ready = true;
        await foreach (var (bridge, e) in queue.ReadAllAsync(stoppingToken))
        {
            await HandleAsync(bridge, e, stoppingToken);
        }
    }

    /// <summary>
    /// The transaction was acknowledged when the event was queued, so an event whose handling meets a homeserver outage
    /// is tried again, in order, as a real bridge's Matrix client retries a restarting homeserver, for about a minute.
    /// </summary>
    private async Task HandleAsync(PlatformBridge bridge, MatrixEvent e, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await router.RouteAsync(bridge, e);
                return;
            }
            catch (Exception error) when (HomeserverOutage.Is(error) && attempt < OutageAttempts)
            {
                logger.LogWarning("Handling {Type} {EventId} met a homeserver outage (attempt {Attempt}): {Error}", e.Type, e.EventId, attempt, error.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempt - 1), 15)), stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(error, "Handling {Type} {EventId} in {RoomId} failed", e.Type, e.EventId, e.RoomId);
                return;
            }
        }
    }

    /// <summary>1 + 2 + 4 + 8 + 15 × 3 s: about a minute of waiting for the homeserver.</summary>
    private const int OutageAttempts = 8;

    private async Task StartBridgeAsync(PlatformBridge bridge, CancellationToken stoppingToken)
    {
        var platform = bridge.Platform;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await bridge.Matrix.EnsureRegisteredAsync(platform.Options.BotLocalpart, stoppingToken);
                await bridge.Matrix.SetDisplayNameAsync(platform.BotUserId, platform.Options.BotDisplayName, stoppingToken);
                await bridge.Matrix.PingAsync(platform.Options.AppServiceId, stoppingToken);
                logger.LogInformation("{Platform} bridge ready as {Bot}", platform.Name, platform.BotUserId);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or MatrixException or TimeoutException
                || e is Polly.CircuitBreaker.BrokenCircuitException || (e is TaskCanceledException && !stoppingToken.IsCancellationRequested))
            {
                logger.LogWarning("{Platform} bridge cannot start yet (attempt {Attempt}): {Error}", platform.Name, attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stoppingToken);
            }
        }
    }

    private Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }
}

/// <summary>Healthy once every bridge has started: the AppHost waits for this before anything talks to the bots.</summary>
public sealed class BridgeReadiness : IHealthCheck
{
    public bool Ready { get; set; }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The bridge bots are not registered yet."));
}
