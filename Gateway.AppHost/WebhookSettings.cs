using Microsoft.Extensions.Configuration;

namespace Gateway.AppHost;

public static class WebhookSettings
{
    /// <summary>
    /// Whether webhook receivers may be on loopback or private networks (<c>Gateway:AllowPrivateWebhooks</c>, default
    /// false: only the local sandbox run turns it on), and any delivery tuning under <c>Gateway:Webhooks</c>
    /// (<c>RetryBaseDelay</c>, <c>MaxConcurrency</c>, …), passed to a service as its <c>Webhooks</c> section.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithWebhookSettings(this IResourceBuilder<ProjectResource> project, IConfiguration configuration) =>
        project
            .WithEnvironment("Webhooks__AllowPrivateNetworks", configuration.GetValue("Gateway:AllowPrivateWebhooks", false) ? "true" : "false")
            .WithConfigurationSection(configuration, "Gateway:Webhooks", target: "Webhooks");
}
