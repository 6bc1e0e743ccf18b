using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Sandbox;

namespace Gateway.Tests.Devices;

[Collection(SandboxCollection.Name)]
public sealed class DeviceLinkTests(SandboxApp app)
{
    [Fact]
    public async Task A_device_links_through_the_qr_socket_and_is_listed()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var phone = SandboxApp.NewPhone();
        var url = await app.StartLinkAsync(token);
        Assert.Equal("ws", url.Scheme);
        Assert.Equal("/api/v1/devices/qr-code", url.AbsolutePath);

        await using var socket = await QrSocket.ConnectAsync(url);
        var qr = await socket.NextFrameAsync();
        Assert.Equal("qr", qr!["type"]!.GetValue<string>());
        Assert.Equal(4, qr["expires_in"]!.GetValue<int>());
        var scan = await app.ScanAsync(qr["code"]!.GetValue<string>(), phone);
        var success = await NextNonQrFrameAsync(socket);

        Assert.Equal(HttpStatusCode.OK, scan.Status);
        Assert.Equal("success", success!["type"]!.GetValue<string>());
        Assert.Equal("wa", success["platform"]!.GetValue<string>());
        Assert.Equal(phone, success["device_id"]!.GetValue<string>());
        Assert.Null(await socket.NextFrameAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        var devices = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token));
        Assert.Equal($$"""[{"platform":"wa","device_id":"{{phone}}","status":"connected","status_reason":null}]""", devices.Body!.ToJsonString());
    }

    [Fact]
    public async Task Behind_a_tls_proxy_the_qr_url_is_wss()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/devices")
        {
            Headers = { Authorization = Auth.Bearer(token) },
            Content = JsonContent.Create(new { platform = "wa" }),
        };
        request.Headers.Add("X-Forwarded-Proto", "HTTPS, http"); // the client's scheme first, then each proxy's

        using var response = await app.Api.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var url = new Uri((await response.Content.ReadFromJsonAsync<JsonObject>())!["qr_code_url"]!.GetValue<string>());
        Assert.Equal("wss", url.Scheme);
    }

    [Fact]
    public async Task A_socket_that_connects_after_the_qr_was_produced_still_gets_it()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var url = await app.StartLinkAsync(token);
        var current = await Eventually.ValueAsync(() => app.CurrentSandboxCodeAsync(token), code => code is not null, TimeSpan.FromSeconds(10));

        await using var socket = await QrSocket.ConnectAsync(url);
        var qr = await socket.NextFrameAsync();

        Assert.Equal("qr", qr!["type"]!.GetValue<string>());
        Assert.Equal(current, qr["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_qr_refresh_arrives_as_another_qr_frame_and_the_window_ends_with_an_error()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await using var socket = await QrSocket.ConnectAsync(await app.StartLinkAsync(token));

        var frames = new List<JsonNode>();
        for (var frame = await socket.NextFrameAsync(); frame is not null; frame = await socket.NextFrameAsync())
        {
            frames.Add(frame);
        }

        var codes = frames.Where(f => f["type"]!.GetValue<string>() == "qr").Select(f => f["code"]!.GetValue<string>()).ToList();
        Assert.Equal(4, codes.Count); // the first code and its three refreshes
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.Equal([4, 4, 4, 4], frames.SkipLast(1).Select(f => f["expires_in"]!.GetValue<int>()));
        var last = frames[^1];
        Assert.Equal("error", last["type"]!.GetValue<string>());
        Assert.Equal("Login failed: Entering code or scanning QR timed out. Please try again.", last["error"]!.GetValue<string>());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact]
    public async Task A_stale_code_is_refused_by_the_phone_and_links_nothing()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await using var socket = await QrSocket.ConnectAsync(await app.StartLinkAsync(token));
        var first = (await socket.NextFrameAsync())!["code"]!.GetValue<string>();
        var refreshed = await socket.NextFrameAsync();
        Assert.Equal("qr", refreshed!["type"]!.GetValue<string>());

        var scan = await app.ScanAsync(first, SandboxApp.NewPhone());

        Assert.NotEqual(HttpStatusCode.OK, scan.Status);
        Assert.Empty((await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token))).Body!.AsArray());
    }

    [Fact]
    public async Task Two_users_linking_at_once_each_see_only_their_own_frames()
    {
        var (_, alice) = await app.CreateTokenAsync(app.SuperAdmin);
        var (_, bob) = await app.CreateTokenAsync(app.SuperAdmin);
        var aliceUrl = await app.StartLinkAsync(alice);
        var bobUrl = await app.StartLinkAsync(bob);
        await using var aliceSocket = await QrSocket.ConnectAsync(aliceUrl);
        await using var bobSocket = await QrSocket.ConnectAsync(bobUrl);

        var aliceCode = (await aliceSocket.NextFrameAsync())!["code"]!.GetValue<string>();
        var bobCode = (await bobSocket.NextFrameAsync())!["code"]!.GetValue<string>();
        var alicePhone = SandboxApp.NewPhone();
        await app.ScanAsync(aliceCode, alicePhone);
        var aliceOutcome = await NextNonQrFrameAsync(aliceSocket);

        Assert.NotEqual(aliceCode, bobCode);
        Assert.Equal(alicePhone, aliceOutcome!["device_id"]!.GetValue<string>());
        // Bob's socket carries only Bob's codes (refreshes of his own login) until his window closes.
        for (var frame = await bobSocket.NextFrameAsync(); frame is not null; frame = await bobSocket.NextFrameAsync())
        {
            Assert.NotEqual("success", frame["type"]!.GetValue<string>());
            if (frame["code"] is { } code)
            {
                Assert.NotEqual(aliceCode, code.GetValue<string>());
            }
        }
        Assert.Empty((await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(bob))).Body!.AsArray());
    }

    [Fact]
    public async Task The_ticket_opens_one_socket_only_but_the_matrix_token_can_reconnect()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var url = await app.StartLinkAsync(token);
        // A plain GET of the URL (a chat app's link preview) is refused without spending the ticket.
        var preview = await app.Api.CallAsync(HttpMethod.Get, url.PathAndQuery);
        Assert.Equal(HttpStatusCode.BadRequest, preview.Status);
        await using (var first = await QrSocket.ConnectAsync(url))
        {
            Assert.Equal("qr", (await first.NextFrameAsync())!["type"]!.GetValue<string>());
        }

        await Assert.ThrowsAsync<WebSocketException>(() => QrSocket.ConnectAsync(url));
        await using var again = await QrSocket.ConnectAsync(app.QrSocketUrl(token));
        Assert.Equal("qr", (await again.NextFrameAsync())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Relinking_the_same_number_keeps_one_device()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var phone = SandboxApp.NewPhone();

        await app.LinkAsync(token, phone);
        await app.LinkAsync(token, phone);

        var devices = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token));
        Assert.Single(devices.Body!.AsArray());
    }

    [Fact]
    public async Task Use_host_tokens_see_the_host_devices_and_other_identities_do_not()
    {
        var (_, hostDevice) = await app.EnsureHostDeviceAsync();
        var (_, sharing) = await app.CreateTokenAsync(app.SuperAdmin, new { use_host = true });
        var (_, separate) = await app.CreateTokenAsync(app.SuperAdmin);

        var seenBySharing = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(sharing));
        var seenBySeparate = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(separate));

        Assert.Contains(seenBySharing.Body!.AsArray(), d => d!["device_id"]!.GetValue<string>() == hostDevice);
        Assert.Empty(seenBySeparate.Body!.AsArray());
    }

    [Fact]
    public async Task Deleting_a_device_logs_the_bridge_out_and_forgets_it_for_its_owner_only()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var (_, stranger) = await app.CreateTokenAsync(app.SuperAdmin);
        var body = new { device_id = device, platform = "wa" };

        var byStranger = await app.Api.CallAsync(HttpMethod.Delete, "/api/v1/devices", Auth.Bearer(stranger), body);
        var byOwner = await app.Api.CallAsync(HttpMethod.Delete, "/api/v1/devices", Auth.Bearer(token), body);

        Assert.Equal(HttpStatusCode.NotFound, byStranger.Status);
        Assert.Equal("Device not found", byStranger.Error);
        Assert.Equal(HttpStatusCode.OK, byOwner.Status);
        Assert.Equal("Device deleted successfully", byOwner.Body!["message"]!.GetValue<string>());
        Assert.Empty((await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token))).Body!.AsArray());
        await Eventually.HoldsAsync(async () =>
            !(await app.ControlAsync(HttpMethod.Get, "/sandbox/logins")).Body!["logins"]!.AsArray()
                .Any(l => l!["device_id"]!.GetValue<string>() == device), TimeSpan.FromSeconds(10));
    }

    private static async Task<JsonNode?> NextNonQrFrameAsync(QrSocket socket)
    {
        JsonNode? frame;
        do
        {
            frame = await socket.NextFrameAsync();
        }
        while (frame?["type"]?.GetValue<string>() == "qr");
        return frame;
    }
}
