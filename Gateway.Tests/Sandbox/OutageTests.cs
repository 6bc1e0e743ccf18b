using System.Net;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Webhooks;

namespace Gateway.Tests.Sandbox;

/// <summary>An app of its own: stopping its homeserver must not disturb any other test's.</summary>
public sealed class OutageApp : WebhooksApp;

[CollectionDefinition(Name)]
public sealed class OutageCollection : ICollectionFixture<OutageApp>
{
    public const string Name = "sandbox-outage";
}

[Collection(OutageCollection.Name)]
public sealed class OutageTests(OutageApp app)
{
    [Fact]
    public async Task While_the_homeserver_is_down_an_injection_is_refused_with_a_clear_503_to_retry()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var device = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();

        ApiResponse refused;
        await app.StopAsync("homeserver");
        try
        {
            refused = await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/incoming", json: new { device_id = device, from = contact, text = "into the void" });
        }
        finally
        {
            await app.StartAsync("homeserver");
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.StartsWith("The sandbox is overloaded, retry later: ", refused.Error);
        Assert.Equal("1", refused.Raw.Headers.RetryAfter?.ToString());
        // Retrying is the right answer: once the homeserver is back (and the bridge's client trusts it again), it works.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        ApiResponse retried;
        while ((retried = await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/incoming", json: new { device_id = device, from = contact, text = "again" })).Status
            == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000);
        }
        Assert.Equal(HttpStatusCode.OK, retried.Status);
    }
}
