namespace Gateway.SyncWorker.Incoming;

public static class IncomingRegistration
{
    /// <summary>What reads a /sync batch's incoming messages and turns them into webhook payloads.</summary>
    public static IHostApplicationBuilder AddIncomingMessages(this IHostApplicationBuilder builder)
    {
        builder.Services
            .AddSingleton<PortalReceivers>() // its memory of each room's receiver outlives a batch
            .AddScoped<IncomingMedia>()
            .AddScoped<IncomingMessages>()
            .AddScoped<TimelineGaps>();
        return builder;
    }
}
