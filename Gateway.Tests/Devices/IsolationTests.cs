using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Tests.Devices;

/// <summary>
/// State the gateway did not make (docs/bridge.md#state-the-gateway-did-not-make): phones that move and tokens that go
/// never misroute a message or leave a phone linked to nobody, and a phone's chats from before it linked can be written to.
/// </summary>
[Collection(BridgeFidelityCollection.Name)]
public sealed class IsolationTests(BridgeFidelityApp app) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.Sandbox.CallAsync(HttpMethod.Delete, "/sandbox/switches");

    public enum Revocation { DeleteToken, DeleteCredential, Expiry }

    [Theory]
    [InlineData(Revocation.DeleteToken)]
    [InlineData(Revocation.DeleteCredential)]
    [InlineData(Revocation.Expiry)]
    public async Task A_phone_that_moved_to_a_revoked_token_is_logged_out_and_its_old_owner_hears_nothing(Revocation revocation)
    {
        await using var oldReceiver = await WebhookReceiver.StartAsync();
        var (_, oldToken) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(oldToken, oldReceiver.Url);
        var phone = await app.LinkDeviceAsync(oldToken);
        var tenant = await app.CreateCredentialAsync();
        var (newTokenId, newToken) = await app.CreateTokenAsync(tenant.Auth, revocation == Revocation.Expiry
            ? new { expires_at = DateTime.UtcNow.AddSeconds(20).ToString("yyyy-MM-ddTHH:mm:ssZ") }
            : new { use_host = false });
        Assert.Equal(phone, await app.LinkDeviceAsync(newToken, phone));

        switch (revocation)
        {
            case Revocation.DeleteToken:
                Assert.Equal(HttpStatusCode.OK, (await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/tokens/{newTokenId}", tenant.Auth)).Status);
                break;
            case Revocation.DeleteCredential:
                Assert.Equal(HttpStatusCode.OK, (await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/credentials/{tenant.ClientId}", app.SuperAdmin)).Status);
                break;
        }

        // The bridge logs the phone out: nobody's Matrix user keeps it (expired tokens go at the next cleanup).
        await Eventually.HoldsAsync(async () => !(await LoginsAsync()).Any(l => l!["device_id"]!.GetValue<string>() == phone),
            TimeSpan.FromSeconds(60), () => $"{phone} is still logged in at the bridge");
        var afterwards = await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/incoming", json: new { device_id = phone, from = SandboxSteps.NewPhone(), text = "anyone?" });
        Assert.Equal(HttpStatusCode.NotFound, afterwards.Status);
        Assert.Empty(await DevicesAsync(oldToken));
        Assert.Empty(oldReceiver.Requests);
    }

    [Fact]
    public async Task A_device_nobody_owns_delivers_to_nobody_though_an_old_owner_still_sits_in_its_rooms()
    {
        await using var tenants = await TwoTenantsAsync();
        var (oldReceiver, newReceiver, oldToken, newToken, phone) = tenants;
        var contact = SandboxSteps.NewPhone();
        await app.ReceiveAsync(phone, contact, "to the old owner");
        await oldReceiver.WaitForAsync(1);
        Assert.Equal(phone, await app.LinkDeviceAsync(newToken, phone));

        // The gateway forgets the device (as a revocation whose bridge is gone would) while the bridge still has its login.
        await using (var db = app.OpenDb())
        {
            Assert.Equal(1, await db.Devices.Where(d => d.Platform == "wa" && d.DeviceId == phone).ExecuteDeleteAsync());
        }
        await app.ReceiveAsync(phone, contact, "to nobody");
        var marker = await app.ReceiveAsync(await app.LinkDeviceAsync(oldToken), contact, "to the old owner's new phone");

        Assert.Equal(marker.EventId, (await oldReceiver.WaitForAsync(2))[1].EventId); // nothing between the two
        Assert.Empty(newReceiver.Requests);
    }

    [Fact]
    public async Task A_message_right_after_the_new_owners_success_reaches_only_the_new_owner_and_the_chats_past_stays_the_old_owners()
    {
        await using var tenants = await TwoTenantsAsync();
        var (oldReceiver, newReceiver, oldToken, newToken, phone) = tenants;
        var contact = SandboxSteps.NewPhone();
        await app.ReceiveAsync(phone, contact, "before");
        await oldReceiver.WaitForAsync(1);
        await Task.Delay(TimeSpan.FromSeconds(6)); // more than the slack the gateway allows a message's clock

        Assert.Equal(phone, await app.LinkDeviceAsync(newToken, phone)); // returns on the success frame
        var after = await app.ReceiveAsync(phone, contact, "right after");
        var marker = await app.ReceiveAsync(await app.LinkDeviceAsync(oldToken), contact, "to the old owner's other phone");

        Assert.Equal(after.EventId, Assert.Single(await newReceiver.WaitForAsync(1)).EventId);
        Assert.Equal(marker.EventId, (await oldReceiver.WaitForAsync(2))[1].EventId);
        Assert.Equal(2, oldReceiver.Requests.Count);
    }

    [Fact]
    public async Task A_bridge_that_is_down_when_a_token_goes_gets_the_logout_when_it_returns()
    {
        var tenant = await app.CreateCredentialAsync();
        var (tokenId, token) = await app.CreateTokenAsync(tenant.Auth);
        var phone = await app.LinkDeviceAsync(token);
        var userId = (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", tenant.Auth)).Body!.AsArray().Single()!["matrix_user_id"]!.GetValue<string>();

        await using (await app.FreezeAsync("sandbox"))
        {
            Assert.Equal(HttpStatusCode.OK, (await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/tokens/{tokenId}", tenant.Auth)).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token))).Status);
            // Two rounds of the logout wait out the bridge's answer timeout; the identity waits with its device.
            await Task.Delay(BridgeFidelityApp.AnswerTimeout * 2);
            await using var db = app.OpenDb();
            Assert.True(await db.Devices.AnyAsync(d => d.DeviceId == phone && d.Platform == "wa"), "the device was forgotten before its logout");
            Assert.True(await db.MatrixIdentities.AnyAsync(i => i.UserId == userId), "the identity went before its device was logged out");
        }

        await Eventually.HoldsAsync(async () => !(await LoginsAsync()).Any(l => l!["device_id"]!.GetValue<string>() == phone),
            TimeSpan.FromSeconds(90), () => $"{phone} is still logged in at the bridge");
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = app.OpenDb();
            return !await db.MatrixIdentities.AnyAsync(i => i.UserId == userId);
        }, TimeSpan.FromSeconds(60), () => $"{userId} was not retired");
    }

    [Fact]
    public async Task Unlinking_a_device_the_bridge_does_not_log_out_is_502_and_the_device_stays()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var phone = await app.LinkDeviceAsync(token);

        ApiResponse refused;
        await using (await app.FreezeAsync("sandbox"))
        {
            refused = await app.Api.CallAsync(HttpMethod.Delete, "/api/v1/devices", Auth.Bearer(token), new { device_id = phone, platform = "wa" });
        }

        Assert.Equal(HttpStatusCode.BadGateway, refused.Status);
        Assert.StartsWith("The wa bridge did not confirm the logout", refused.Body!["detail"]!.GetValue<string>()); // a 5xx's error is the generic text
        Assert.Equal([phone], (await DevicesAsync(token)).Select(d => d!["device_id"]!.GetValue<string>()));
        // The bridge takes the logout once it is back: the device goes then, as the bridge's login did.
        await Eventually.HoldsAsync(async () => !(await LoginsAsync()).Any(l => l!["device_id"]!.GetValue<string>() == phone),
            TimeSpan.FromSeconds(60), () => $"{phone} is still logged in at the bridge");
        await Eventually.HoldsAsync(async () => (await DevicesAsync(token)).Count == 0, TimeSpan.FromSeconds(15),
            () => "the device is still listed after the bridge logged it out");
        var again = await app.Api.CallAsync(HttpMethod.Delete, "/api/v1/devices", Auth.Bearer(token), new { device_id = phone, platform = "wa" });
        Assert.Equal((HttpStatusCode.NotFound, "Device not found"), (again.Status, again.Error));
    }

    [Fact]
    public async Task A_group_and_a_contact_the_phone_had_before_linking_are_written_to_at_the_first_try()
    {
        var phone = SandboxSteps.NewPhone();
        var contact = SandboxSteps.NewPhone();
        var invite = $"https://chat.whatsapp.com/{Guid.NewGuid():N}";
        var given = await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/phones",
            json: new { phone, contacts = new[] { contact }, groups = new[] { new { invite, name = "Family" } } });
        Assert.Equal(HttpStatusCode.OK, given.Status);
        var (tokenId, token) = await app.CreateTokenAsync(app.SuperAdmin);
        Assert.Equal(phone, await app.LinkDeviceAsync(token, phone));
        var portals = await Eventually.ValueAsync(async () => (await app.Sandbox.CallAsync(HttpMethod.Get, $"/sandbox/portals?device_id={phone}")).Body!.AsArray(),
            found => found.Count == 2, TimeSpan.FromSeconds(15), found => found.ToJsonString());
        string RoomOf(string type) => portals.Single(p => p!["chat_type"]!.GetValue<string>() == type)!["room_id"]!.GetValue<string>();
        // The identity sits in both portals before the gateway is asked for either, as after a real bridge's login.
        var matrixToken = await app.MatrixAccessTokenOfAsync(tokenId);
        await Eventually.HoldsAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.HomeserverUrl, "/_matrix/client/v3/joined_rooms"));
            request.Headers.Authorization = new("Bearer", matrixToken);
            using var http = new HttpClient();
            var joined = JsonNode.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync())!["joined_rooms"]!.AsArray();
            return joined.Any(r => r!.GetValue<string>() == RoomOf("group")) && joined.Any(r => r!.GetValue<string>() == RoomOf("contact"));
        }, TimeSpan.FromSeconds(30), () => "the identity did not join the phone's existing portals");

        var sends = new[]
        {
            await SendAsync(token, phone, new { group_url = invite, platform = "wa", text = "to the family" }),
            await SendAsync(token, phone, new { group_url = invite, platform = "wa", text = "to the family again" }),
            await SendAsync(token, phone, new { contact, platform = "wa", text = "to an old friend" }),
            await SendAsync(token, phone, new { contact = "+" + contact, platform = "wa", text = "to an old friend again" }),
        };

        Assert.All(sends, send => Assert.Equal("sent", ResultOf(send)["status"]!.GetValue<string>()));
        var sent = await SentAsync(phone, 4);
        Assert.Equal([RoomOf("group"), RoomOf("group"), RoomOf("contact"), RoomOf("contact")], sent.Select(m => m["room_id"]!.GetValue<string>()));
        Assert.Equal(2, (await app.Sandbox.CallAsync(HttpMethod.Get, $"/sandbox/portals?device_id={phone}")).Body!.AsArray().Count); // none made anew
    }

    [Fact]
    public async Task A_group_a_member_wrote_in_first_is_written_to_at_the_first_try()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var phone = await app.LinkDeviceAsync(token);
        var invite = $"https://chat.whatsapp.com/{Guid.NewGuid():N}";
        var first = await app.ReceiveAsync(phone, SandboxSteps.NewPhone(), "hello from the group", group: invite);
        Assert.Equal(first.EventId, Assert.Single(await receiver.WaitForAsync(1)).EventId);

        var answer = await SendAsync(token, phone, new { group_url = invite, platform = "wa", text = "hello back" });
        var again = await SendAsync(token, phone, new { group_url = invite, platform = "wa", text = "hello back again" });

        Assert.Equal(("sent", "sent"), (ResultOf(answer)["status"]!.GetValue<string>(), ResultOf(again)["status"]!.GetValue<string>()));
        Assert.All(await SentAsync(phone, 2), m => Assert.Equal(first.RoomId, m["room_id"]!.GetValue<string>()));
    }

    /// <summary>Two tokens of their own Matrix users, each with a webhook; the first has linked a phone.</summary>
    private sealed record TwoTenants(WebhookReceiver OldReceiver, WebhookReceiver NewReceiver, string OldToken, string NewToken, string Phone)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await OldReceiver.DisposeAsync();
            await NewReceiver.DisposeAsync();
        }
    }

    private async Task<TwoTenants> TwoTenantsAsync()
    {
        var (oldReceiver, newReceiver) = (await WebhookReceiver.StartAsync(), await WebhookReceiver.StartAsync());
        var (_, oldToken) = await app.CreateTokenAsync(app.SuperAdmin);
        var (_, newToken) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(oldToken, oldReceiver.Url);
        await app.CreateWebhookAsync(newToken, newReceiver.Url);
        return new TwoTenants(oldReceiver, newReceiver, oldToken, newToken, await app.LinkDeviceAsync(oldToken));
    }

    private Task<ApiResponse> SendAsync(string token, string device, object body) =>
        app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{device}/message", Auth.Bearer(token), body);

    private static JsonNode ResultOf(ApiResponse response) =>
        Assert.Single(response.Body?["results"]?.AsArray() ?? throw new InvalidOperationException($"{response.Status}: {response.Body}"))!;

    private async Task<JsonArray> DevicesAsync(string token) =>
        (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token))).Body!.AsArray();

    private async Task<JsonArray> LoginsAsync() => (await app.Sandbox.CallAsync(HttpMethod.Get, "/sandbox/logins")).Body!["logins"]!.AsArray();

    private Task<List<JsonNode>> SentAsync(string device, int expected) =>
        Eventually.ValueAsync(
            async () => (await app.Sandbox.CallAsync(HttpMethod.Get, $"/sandbox/sent?device_id={device}")).Body!.AsArray().Select(n => n!).ToList(),
            sent => sent.Count >= expected, TimeSpan.FromSeconds(15), sent => $"{sent.Count} of {expected} messages reached the bridge");
}
