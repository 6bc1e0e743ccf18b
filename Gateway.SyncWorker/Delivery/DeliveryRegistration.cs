using Gateway.Shared.Webhooks;
using Microsoft.Extensions.Options;

namespace Gateway.SyncWorker.Delivery;

public static class DeliveryRegistration
{
    /// <summary>
    /// The outbox, its queue, the signed POSTs and the hosted services that deliver and tidy it, with
    /// <see cref="WebhookOptions"/> bound from configuration and the webhook client that only dials allowed addresses.
    /// </summary>
    public static IHostApplicationBuilder AddWebhookDelivery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .Validate(o => o.TidyInterval > TimeSpan.Zero && o.BacklogSampleInterval > TimeSpan.Zero,
                "Webhooks:TidyInterval and BacklogSampleInterval must be positive")
            .ValidateOnStart();
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is experimental, but the documented opt-out
        builder.Services.AddHttpClient(WebhookSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(services => WebhookSender.CreateHandler(services.GetRequiredService<IOptions<WebhookOptions>>().Value))
            // Retries belong to the outbox (back-off over 24 h, in order per room), not to a handler that repeats a POST at once.
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services
            .AddScoped<WebhookOutbox>()
            .AddScoped<WebhookDeliveryQueue>()
            .AddSingleton<RetrySchedule>()
            .AddSingleton<WebhookSender>()
            .AddHostedService<WebhookDeliveryLoop>()
            .AddHostedService<OutboxCleanup>()
            .AddHostedService<OutboxBacklogSampler>();
        return builder;
    }
}
