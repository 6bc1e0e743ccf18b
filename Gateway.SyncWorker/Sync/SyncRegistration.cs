using Gateway.Shared.Bridges;
using Gateway.Shared.Matrix;
using Gateway.SyncWorker.Bridges;

namespace Gateway.SyncWorker.Sync;

public static class SyncRegistration
{
    /// <summary>One /sync loop per identity this replica holds the lease of, the handling of its batches, and the bridge bots' messages among them.</summary>
    public static IHostApplicationBuilder AddSyncLoops(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is experimental, but the documented opt-out
        services.AddMatrixClient()
            .ConfigureHttpClient(http => http.Timeout = SyncLoop.LongPoll + TimeSpan.FromSeconds(30))
            // The standard handler's 10 s attempt timeout would cut every 30 s long-poll; sync loops retry on their own.
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        services.AddOptions<BridgeOptions>().BindConfiguration(BridgeOptions.Section);
        services.AddOptions<SyncOptions>().BindConfiguration(SyncOptions.Section);
        services.AddScoped<SyncLeases>();
        services.AddScoped<SyncBatchHandler>();
        services.AddScoped<BotMessages>();
        services.AddScoped<DeviceLinks>();
        services.AddHostedService<SyncSupervisor>();
        return builder;
    }
}
