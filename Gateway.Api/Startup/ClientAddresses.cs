using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Gateway.Api.Startup;

public sealed class ClientAddressOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Addresses of the reverse proxies in front of the Api whose <c>X-Forwarded-For</c> is believed.</summary>
    public List<string> KnownProxies { get; set; } = [];
    /// <summary>Networks (CIDR, e.g. <c>100.100.0.0/16</c>) whose proxies' <c>X-Forwarded-For</c> is believed.</summary>
    public List<string> KnownNetworks { get; set; } = [];
}

public static class ClientAddresses
{
    /// <summary>
    /// The client's address is the connection's, unless the connection comes from a proxy the operator named in
    /// <c>ForwardedHeaders</c> (Container Apps' ingress, Aspire's proxy for replicas): then it is the one that proxy
    /// forwarded. Nobody else's header is believed: the failed-attempt throttle counts by this address, and a forged one
    /// would dodge it or lock another client out. (ASP.NET believes loopback by default, and with both lists empty it
    /// believes everyone: so without named proxies the middleware is not used at all.)
    /// </summary>
    public static IHostApplicationBuilder AddClientAddresses(this IHostApplicationBuilder builder)
    {
        // Parsed at start: a mistyped address stops the Api rather than failing its requests.
        var settings = builder.Configuration.GetSection(ClientAddressOptions.Section).Get<ClientAddressOptions>() ?? new();
        var proxies = settings.KnownProxies.Select(proxy => IPAddress.TryParse(proxy, out var address) ? address
            : throw new InvalidOperationException($"{ClientAddressOptions.Section}:KnownProxies: '{proxy}' is not an IP address.")).ToList();
        var networks = settings.KnownNetworks.Select(network => System.Net.IPNetwork.TryParse(network, out var parsed) ? parsed
            : throw new InvalidOperationException($"{ClientAddressOptions.Section}:KnownNetworks: '{network}' is not a CIDR network.")).ToList();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = proxies.Count + networks.Count > 0 ? ForwardedHeaders.XForwardedFor : ForwardedHeaders.None;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            proxies.ForEach(options.KnownProxies.Add);
            networks.ForEach(options.KnownIPNetworks.Add);
        });
        return builder;
    }

    /// <summary>Takes the forwarded client address from the named proxies only; without any, the connection's stands.</summary>
    public static IApplicationBuilder UseClientAddresses(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ForwardedHeadersOptions>>().Value.ForwardedHeaders == ForwardedHeaders.None
            ? app
            : app.UseForwardedHeaders();
}
