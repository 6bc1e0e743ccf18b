using System.Net;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Webhooks;

namespace Gateway.Tests.ScaleOut;

/// <summary>Two Api replicas behave as one Api: what one revokes the other refuses, and a link's frames reach either.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ApiReplicaTests(ScaleOutApp app)
{
    [Fact]
    public async Task A_token_deleted_through_one_replica_is_refused_at_once_by_the_other()
    {
        var (id, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var replicas = app.ReplicasOf("api");
        using var first = replicas[0].Client();
        using var second = replicas[1].Client();
        var granted = await first.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token)); // the first keeps the grant

        var deleted = await second.CallAsync(HttpMethod.Delete, $"/api/v1/tokens/{id}", app.SuperAdmin);
        var refused = await first.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token));

        Assert.Equal(HttpStatusCode.OK, granted.Status);
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("invalid or expired token", refused.Error);
    }

    [Fact]
    public async Task Behind_the_proxy_guesses_count_against_the_forwarded_address_and_never_lock_out_the_owners()
    {
        var credential = await app.CreateCredentialAsync();
        using var guesser = ForwardedFor("203.0.113.7");
        using var owner = ForwardedFor("198.51.100.9");
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.CallAsync(HttpMethod.Get, "/api/v1/tokens", Auth.Basic(credential.ClientId, "wrong"))).Status);
        }

        var guesserRight = await guesser.CallAsync(HttpMethod.Get, "/api/v1/tokens", credential.Auth);
        var ownerRight = await owner.CallAsync(HttpMethod.Get, "/api/v1/tokens", credential.Auth);
        var unforwarded = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", credential.Auth);

        Assert.Equal(HttpStatusCode.TooManyRequests, guesserRight.Status);
        Assert.Equal(HttpStatusCode.OK, ownerRight.Status);
        Assert.Equal(HttpStatusCode.OK, unforwarded.Status);
    }

    /// <summary>A client of Aspire's proxy in front of the replicas, with the address a forwarding proxy would name.</summary>
    private HttpClient ForwardedFor(string address)
    {
        var client = new HttpClient { BaseAddress = app.Api.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public async Task A_link_started_on_one_replica_streams_its_QR_and_outcome_to_a_socket_on_the_other(int starter, int listener)
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var replicas = app.ReplicasOf("api");
        using var starting = replicas[starter].Client();
        var phone = SandboxSteps.NewPhone();

        var started = await starting.CallAsync(HttpMethod.Post, "/api/v1/devices", Auth.Bearer(token), new { platform = "wa" });
        Assert.Equal(HttpStatusCode.Created, started.Status);
        var socketUrl = new UriBuilder(started.Body!["qr_code_url"]!.GetValue<string>())
        {
            Host = replicas[listener].Address.Host, Port = replicas[listener].Address.Port,
        }.Uri;
        await using var socket = await QrSocket.ConnectAsync(socketUrl);
        var qr = await socket.NextFrameAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("qr", qr?["type"]?.GetValue<string>());
        var scanned = await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/scan", json: new { code = qr!["code"]!.GetValue<string>(), phone });
        var outcome = await socket.NextFrameAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.OK, scanned.Status);
        Assert.Equal("success", outcome?["type"]?.GetValue<string>());
        Assert.Equal(phone, outcome!["device_id"]!.GetValue<string>());
    }
}
