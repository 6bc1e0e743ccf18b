namespace Gateway.SyncWorker.Incoming;

public static class IncomingRegistration
{
    /// <summary>What reads a /sync batch's portal rooms and turns their events into webhook events, one reader a kind.</summary>
    public static IHostApplicationBuilder AddIncomingMessages(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IncomingOptions>().BindConfiguration(IncomingOptions.Section)
            .Validate(o => o.MaxMediaBytes > 0 && o.MaxImagePixels > 0 && o.MaxTries > 0, "Incoming:MaxMediaBytes, MaxImagePixels and MaxTries must be positive")
            .ValidateOnStart();
        builder.Services
            .AddSingleton<PortalStates>() // its memory of each room's chat outlives a batch
            .AddSingleton<IncomingTries>() // and so does each event's count of failed tries
            .AddScoped<IncomingRecorder>()
            .AddScoped<IncomingMedia>()
            .AddScoped<IncomingEvents>()
            .AddScoped<TimelineGaps>()
            // Asked in this order for each event; the first that knows it answers.
            .AddScoped<IIncomingReader, MessageReader>()
            .AddScoped<IIncomingReader, EditReader>()
            .AddScoped<IIncomingReader, ReactionReader>()
            .AddScoped<IIncomingReader, RedactionReader>()
            .AddScoped<IIncomingReader, StatusReader>();
        return builder;
    }
}
