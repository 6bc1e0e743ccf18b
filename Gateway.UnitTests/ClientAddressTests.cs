using System.Net;
using Gateway.Api.Startup;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.UnitTests;

/// <summary>Whose X-Forwarded-For the Api believes: only the proxies the operator names, never loopback by default.</summary>
public sealed class ClientAddressTests
{
    [Fact]
    public void Without_named_proxies_no_forwarded_address_is_believed_not_even_loopbacks()
    {
        var options = ForwardedHeadersOf([]);

        Assert.Empty(options.KnownProxies);
        Assert.Empty(options.KnownIPNetworks);
        Assert.Equal(ForwardedHeaders.XForwardedFor, options.ForwardedHeaders);
    }

    [Fact]
    public void Named_proxies_and_networks_are_believed()
    {
        var options = ForwardedHeadersOf(new()
        {
            ["ForwardedHeaders:KnownProxies:0"] = "10.0.0.4",
            ["ForwardedHeaders:KnownProxies:1"] = "::1",
            ["ForwardedHeaders:KnownNetworks:0"] = "100.100.0.0/16",
        });

        Assert.Equal([IPAddress.Parse("10.0.0.4"), IPAddress.IPv6Loopback], options.KnownProxies);
        Assert.Equal([System.Net.IPNetwork.Parse("100.100.0.0/16")], options.KnownIPNetworks);
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "ingress.internal", "is not an IP address")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "100.100.0.0/40", "is not a CIDR network")]
    public void A_mistyped_proxy_stops_the_start(string key, string value, string error)
    {
        var failure = Assert.Throws<InvalidOperationException>(() => ForwardedHeadersOf(new() { [key] = value }));
        Assert.Contains(error, failure.Message);
    }

    private static ForwardedHeadersOptions ForwardedHeadersOf(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddClientAddresses();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
    }
}
