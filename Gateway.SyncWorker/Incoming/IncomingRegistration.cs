namespace Gateway.SyncWorker.Incoming;

public static class IncomingRegistration
{
    /// <summary>What reads a /sync batch's incoming messages and turns them into webhook payloads.</summary>
    public static IHostApplicationBuilder AddIncomingMessages(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IncomingOptions>().BindConfiguration(IncomingOptions.Section)
            .Validate(o => o.MaxMediaBytes > 0 && o.MaxImagePixels > 0 && o.MaxTries > 0, "Incoming:MaxMediaBytes, MaxImagePixels and MaxTries must be positive")
            .ValidateOnStart();
        builder.Services
            .AddSingleton<PortalReceivers>() // its memory of each room's receiver outlives a batch
            .AddSingleton<IncomingTries>() // and so does each message's count of failed tries
            .AddScoped<IncomingRecorder>()
            .AddScoped<IncomingMedia>()
            .AddScoped<IncomingMessages>()
            .AddScoped<TimelineGaps>();
        return builder;
    }
}
