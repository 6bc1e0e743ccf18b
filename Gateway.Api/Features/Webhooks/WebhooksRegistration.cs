using Gateway.Shared.Webhooks;

namespace Gateway.Api.Features.Webhooks;

public static class WebhooksRegistration
{
    /// <summary>The webhook options (shared with the SyncWorker, which delivers) and the policy on which URLs may receive.</summary>
    public static IHostApplicationBuilder AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section);
        builder.Services.AddSingleton<WebhookUrlPolicy>();
        return builder;
    }
}
