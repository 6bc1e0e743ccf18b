using Microsoft.Extensions.Configuration;

namespace Gateway.AppHost;

public static class ClientAddressExtensions
{
    /// <summary>
    /// The proxies whose <c>X-Forwarded-For</c> the Api believes (its failed-attempt throttle counts by client address):
    /// those the operator names in <c>Gateway:ForwardedHeaders</c> (<c>KnownProxies</c>, <c>KnownNetworks</c>: Container
    /// Apps' ingress in a deployment), and locally, when Api replicas sit behind Aspire's proxy, that proxy on loopback.
    /// A lone local Api is reached directly and believes no header.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithClientAddressesBehindProxies(this IResourceBuilder<ProjectResource> api,
        IDistributedApplicationBuilder builder, int replicas)
    {
        api.WithConfigurationSection(builder.Configuration, "Gateway:ForwardedHeaders", target: "ForwardedHeaders");
        if (builder.ExecutionContext.IsRunMode && replicas > 1 && builder.Configuration.GetSection("Gateway:ForwardedHeaders").GetChildren().Any() is false)
        {
            api.WithEnvironment("ForwardedHeaders__KnownProxies__0", "127.0.0.1").WithEnvironment("ForwardedHeaders__KnownProxies__1", "::1");
        }
        return api;
    }
}
