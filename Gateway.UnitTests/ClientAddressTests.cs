using System.Net;
using Gateway.Api.Startup;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Gateway.UnitTests;

/// <summary>Whose X-Forwarded-For the Api believes: only the proxies the operator names, never loopback's or anyone's by default.</summary>
public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("203.0.113.7")]
    public async Task Without_named_proxies_the_connections_address_stands_whatever_it_forwards(string peer)
    {
        var address = await ClientAddressAsync([], peer, forwarded: "198.51.100.9");

        Assert.Equal(peer, address);
    }

    [Theory]
    [InlineData("10.0.0.4", "198.51.100.9")] // a named proxy
    [InlineData("100.100.3.2", "198.51.100.9")] // in a named network
    [InlineData("10.0.0.5", "10.0.0.5")] // anyone else
    [InlineData("127.0.0.1", "127.0.0.1")] // loopback, unless named
    public async Task Only_named_proxies_and_networks_forward_the_clients_address(string peer, string expected)
    {
        var address = await ClientAddressAsync(new()
        {
            ["ForwardedHeaders:KnownProxies:0"] = "10.0.0.4",
            ["ForwardedHeaders:KnownNetworks:0"] = "100.100.0.0/16",
        }, peer, forwarded: "198.51.100.9");

        Assert.Equal(expected, address);
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "ingress.internal", "is not an IP address")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "100.100.0.0/40", "is not a CIDR network")]
    public void A_mistyped_proxy_stops_the_start(string key, string value, string error)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });

        var failure = Assert.Throws<InvalidOperationException>(() => builder.AddClientAddresses());
        Assert.Contains(error, failure.Message);
    }

    /// <summary>The address a request from <paramref name="peer"/> carrying <paramref name="forwarded"/> is seen from, behind the Api's own pipeline.</summary>
    private static async Task<string> ClientAddressAsync(Dictionary<string, string?> settings, string peer, string forwarded)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddClientAddresses();
        await using var app = builder.Build();
        string? seen = null;
        var pipeline = ((IApplicationBuilder)app).New().UseClientAddresses().Use((HttpContext context, RequestDelegate _) =>
        {
            seen = context.Connection.RemoteIpAddress?.ToString();
            return Task.CompletedTask;
        }).Build();
        var request = new DefaultHttpContext { RequestServices = app.Services };
        request.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        request.Request.Headers["X-Forwarded-For"] = forwarded;

        await pipeline(request);

        return seen!;
    }
}
