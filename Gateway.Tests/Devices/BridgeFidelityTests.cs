using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Webhooks;

namespace Gateway.Tests.Devices;

/// <summary>
/// The webhooks app with the gateway waiting 6 s for the bot's answers, so a bot slower than that is quick to stage, and
/// expired tokens cleaned up within seconds.
/// Its tests turn the sandbox's switches, so they run one at a time in their own collection.
/// </summary>
public sealed class BridgeFidelityApp : WebhooksApp
{
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(6);

    protected override IEnumerable<string> Settings =>
    [
        .. base.Settings,
        $"--Gateway:Bridges:AnswerTimeoutSeconds={AnswerTimeout.TotalSeconds}",
        // Expired tokens go at once, and are looked for every few seconds.
        "--Gateway:Tokens:KeepExpiredFor=00:00:00",
        "--Gateway:Tokens:CleanupInterval=00:00:03",
    ];
}

[CollectionDefinition(Name)]
public sealed class BridgeFidelityCollection : ICollectionFixture<BridgeFidelityApp>
{
    public const string Name = "bridge-fidelity";
}

/// <summary>
/// What the real bridge does that a kinder one would hide (docs/bridge.md#real-bridge-behaviour): phones that move
/// between identities or unlink themselves, pairing codes, slow and late answers, LIDs, and rooms that only claim to be portals.
/// </summary>
[Collection(BridgeFidelityCollection.Name)]
public sealed class BridgeFidelityTests(BridgeFidelityApp app) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.Sandbox.CallAsync(HttpMethod.Delete, "/sandbox/switches");

    [Fact]
    public async Task A_phone_linked_under_another_identity_moves_there_with_its_messages()
    {
        await using var oldReceiver = await WebhookReceiver.StartAsync();
        await using var newReceiver = await WebhookReceiver.StartAsync();
        var (_, oldToken) = await app.CreateTokenAsync(app.SuperAdmin);
        var (_, newToken) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(oldToken, oldReceiver.Url);
        await app.CreateWebhookAsync(newToken, newReceiver.Url);
        var phone = await app.LinkDeviceAsync(oldToken);
        var otherPhone = await app.LinkDeviceAsync(oldToken);
        var contact = SandboxSteps.NewPhone();
        Assert.Equal("sent", await SendTextAsync(oldToken, phone, contact, "from the old identity"));

        Assert.Equal(phone, await app.LinkDeviceAsync(newToken, phone));

        Assert.Equal([otherPhone], (await DevicesAsync(oldToken)).Select(d => d!["device_id"]!.GetValue<string>()));
        Assert.Equal([phone], (await DevicesAsync(newToken)).Select(d => d!["device_id"]!.GetValue<string>()));
        var oldSend = await SendAsync(oldToken, phone, contact, "after the move");
        Assert.Equal((HttpStatusCode.NotFound, "Device not found"), (oldSend.Status, oldSend.Error));
        Assert.Equal("sent", await SendTextAsync(newToken, phone, contact, "from the new identity"));
        Assert.Contains(await SentAsync(phone, 2), m => m["recipient"]!.GetValue<string>() == contact && m["body"]!.GetValue<string>() == "from the new identity");

        // The old identity still sits in the contact's portal, as with the real bridge; the message is the new one's only.
        var moved = await app.ReceiveAsync(phone, contact, "for the new identity");
        Assert.Equal(moved.EventId, Assert.Single(await newReceiver.WaitForAsync(1)).EventId);
        var later = await app.ReceiveAsync(otherPhone, SandboxSteps.NewPhone(), "to the old identity's other phone, after");
        Assert.Equal([later.EventId], (await oldReceiver.WaitForAsync(1)).Select(p => p.EventId));
    }

    [Fact]
    public async Task A_phone_that_unlinks_the_device_leaves_it_logged_out_until_it_is_linked_again()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var phone = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();

        var logout = await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/logout", json: new { device_id = phone });
        Assert.Equal(HttpStatusCode.OK, logout.Status);

        var device = await Eventually.ValueAsync(async () => Assert.Single(await DevicesAsync(token))!,
            d => d["status"]!.GetValue<string>() == "logged_out", TimeSpan.FromSeconds(15), d => d.ToJsonString());
        Assert.Equal("You were logged out from another device. Relogin to continue using the bridge.", device["status_reason"]!.GetValue<string>());
        var refused = await SendAsync(token, phone, contact, "while logged out");
        Assert.Equal((HttpStatusCode.Conflict, $"Device {phone} is logged out of WhatsApp: link it again"), (refused.Status, refused.Error));
        Assert.Empty(await SentAsync(phone));

        Assert.Equal(phone, await app.LinkDeviceAsync(token, phone));
        device = Assert.Single(await DevicesAsync(token))!;
        Assert.Equal(("connected", null), (device["status"]!.GetValue<string>(), device["status_reason"]?.GetValue<string>()));
        Assert.Equal("sent", await SendTextAsync(token, phone, contact, "linked again"));
    }

    [Fact]
    public async Task A_device_links_by_pairing_code()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var phone = SandboxSteps.NewPhone();
        var invalid = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/devices", Auth.Bearer(token), new { platform = "wa", phone_number = phone });
        Assert.Equal((HttpStatusCode.BadRequest, "Invalid phone_number: use the international format, e.g. +237123456789"), (invalid.Status, invalid.Error));

        var started = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/devices", Auth.Bearer(token),
            new { platform = "wa", phone_number = $"+{phone[..3]} {phone[3..6]}-{phone[6..]}" });
        Assert.Equal(HttpStatusCode.Created, started.Status);
        Assert.Equal("Enter the pairing code on your phone to link your device", started.Body!["message"]!.GetValue<string>());
        await using var socket = await QrSocket.ConnectAsync(new Uri(started.Body["qr_code_url"]!.GetValue<string>()));
        var frame = (await socket.NextFrameAsync(TimeSpan.FromSeconds(30)))!;
        Assert.Equal("code", frame["type"]!.GetValue<string>());
        var code = frame["code"]!.GetValue<string>();
        Assert.Matches("^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$", code);
        Assert.True(frame["expires_in"]!.GetValue<int>() > 0);

        Assert.Equal(HttpStatusCode.OK, (await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/pair", json: new { code })).Status);

        var success = (await socket.NextFrameAsync(TimeSpan.FromSeconds(30)))!;
        Assert.Equal("""{"type":"success","platform":"wa","device_id":"%"}""".Replace("%", phone), success.ToJsonString());
        Assert.Equal(phone, Assert.Single(await DevicesAsync(token))!["device_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_number_the_bridge_refuses_for_a_pairing_code_ends_the_link_with_its_words()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var started = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/devices", Auth.Bearer(token), new { platform = "wa", phone_number = "+0123456789" });
        Assert.Equal(HttpStatusCode.Created, started.Status);
        await using var socket = await QrSocket.ConnectAsync(new Uri(started.Body!["qr_code_url"]!.GetValue<string>()));

        var frame = (await socket.NextFrameAsync(TimeSpan.FromSeconds(30)))!;

        Assert.Equal("error", frame["type"]!.GetValue<string>());
        Assert.StartsWith("Failed to submit input: international phone number required", frame["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_late_answer_is_never_taken_for_the_next_command()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var phone = await app.LinkDeviceAsync(token);
        var (first, second) = (SandboxSteps.NewPhone(), SandboxSteps.NewPhone());
        // Each command is answered 1.5 answer timeouts after the previous answer: every answer comes after its asker gave up.
        await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/switches", json: new { bot_delay_ms = (int)(BridgeFidelityApp.AnswerTimeout.TotalMilliseconds * 1.5) });

        var late = await SendAsync(token, phone, first, "to the first");
        var next = await SendAsync(token, phone, second, "to the second");
        await app.Sandbox.CallAsync(HttpMethod.Delete, "/sandbox/switches");

        Assert.Equal("The bridge did not answer in time", ResultOf(late)["error"]!.GetValue<string>());
        Assert.Equal("failed", ResultOf(next)["status"]!.GetValue<string>()); // never "sent" into the first contact's chat
        Assert.Equal("sent", await SendTextAsync(token, phone, first, "to the first, again"));
        Assert.Equal("sent", await SendTextAsync(token, phone, second, "to the second, again"));
        Assert.Equal([(first, "to the first, again"), (second, "to the second, again")],
            (await SentAsync(phone, 2)).Select(m => (m["recipient"]!.GetValue<string>(), m["body"]!.GetValue<string>())));
    }

    [Fact]
    public async Task An_answer_held_back_while_later_ones_arrive_still_goes_to_its_own_command()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var phone = await app.LinkDeviceAsync(token);
        var (first, second) = (SandboxSteps.NewPhone(), SandboxSteps.NewPhone());
        // Late for its own command, and well within the wait of the next one, which must not be sent before it comes.
        await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/switches",
            json: new { late_next_answer_ms = (int)(BridgeFidelityApp.AnswerTimeout.TotalMilliseconds * 1.25) });

        var late = await SendAsync(token, phone, first, "to the first");
        var next = await SendAsync(token, phone, second, "to the second");

        Assert.Equal("The bridge did not answer in time", ResultOf(late)["error"]!.GetValue<string>());
        Assert.Equal("sent", ResultOf(next)["status"]!.GetValue<string>()); // asked once the late answer had come
        Assert.Equal("sent", await SendTextAsync(token, phone, first, "to the first, again"));
        Assert.Equal([(second, "to the second"), (first, "to the first, again")],
            (await SentAsync(phone, 2)).Select(m => (m["recipient"]!.GetValue<string>(), m["body"]!.GetValue<string>())));
    }

    [Fact]
    public async Task A_LID_contact_messaged_by_phone_number_is_reported_as_the_caller_wrote_it_in_chats_and_groups()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var phone = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();
        var asWritten = $"+{contact[..3]} {contact[3..]}";
        Assert.Equal("sent", await SendTextAsync(token, phone, asWritten, "Hi"));

        var direct = await app.ReceiveAsync(phone, contact, "Hi back");
        Assert.StartsWith("@whatsapp_lid-", direct.Sender); // the bridge knows the contact by a LID, not by the number
        var inGroup = await app.ReceiveAsync(phone, contact, "Hi all", group: "1203630" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999));
        Assert.Equal(direct.Sender, inGroup.Sender);

        var posts = await receiver.WaitForAsync(2);
        Assert.Equal([(direct.EventId, true, asWritten), (inGroup.EventId, true, asWritten)],
            posts.Select(p => (p.EventId, p.Json["is_contact"]!.GetValue<bool>(), p.Json["from"]!.GetValue<string>())));
    }

    [Fact]
    public async Task A_room_an_ordinary_user_dresses_up_as_a_portal_is_never_joined_and_delivers_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (tokenId, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var phone = await app.LinkDeviceAsync(token);
        var victim = await app.MatrixUserIdAsync(tokenId);
        using var mallory = await MatrixTestClient.RegisterAsync(app.HomeserverUrl, MatrixTestClient.SharedSecretOf(app));
        var bridge = new JsonObject
        {
            ["bridgebot"] = "@whatsappbot:localhost",
            ["protocol"] = new JsonObject { ["id"] = "whatsapp" },
            ["channel"] = new JsonObject { ["id"] = "123@lid", ["fi.mau.receiver"] = phone },
        };
        var fake = await mallory.CreateRoomAsync(new JsonObject
        {
            ["preset"] = "private_chat",
            ["is_direct"] = true,
            ["invite"] = new JsonArray(victim),
            ["initial_state"] = new JsonArray(new JsonObject { ["type"] = "m.bridge", ["state_key"] = "fake", ["content"] = bridge }),
        });
        await mallory.SendTextAsync(fake, "Your account is locked: reply with your code");

        var real = await app.ReceiveAsync(phone, SandboxSteps.NewPhone(), "a real message, after");
        Assert.Equal([real.EventId], (await receiver.WaitForAsync(1)).Select(p => p.EventId));
        var membership = (await mallory.RoomStateAsync(fake)).Single(e => e!["type"]!.GetValue<string>() == "m.room.member"
            && e["state_key"]!.GetValue<string>() == victim)!;
        Assert.Equal("invite", membership["content"]!["membership"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_event_the_gateway_cannot_read_is_skipped_and_the_messages_after_it_arrive()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var phone = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();
        // The homeserver insists on a string msgtype and body; everything else in a content is the sender's to shape.
        var unreadable = new JsonObject { ["msgtype"] = "m.image", ["body"] = "", ["url"] = 5, ["info"] = "not an object" };
        var oddButReadable = new JsonObject { ["msgtype"] = "m.text", ["body"] = "odd relation", ["m.relates_to"] = "not an object" };

        await InjectAsync(unreadable);
        var odd = await InjectAsync(oddButReadable);
        var readable = await app.ReceiveAsync(phone, contact, "readable");

        Assert.Equal([odd, readable.EventId], (await receiver.WaitForAsync(2)).Select(p => p.EventId));

        async Task<string> InjectAsync(JsonObject content)
        {
            var injected = await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/incoming", json: new { device_id = phone, from = contact, content });
            Assert.True(injected.Status == HttpStatusCode.OK, $"{injected.Status} {injected.Body}");
            return injected.Body!["event_id"]!.GetValue<string>();
        }
    }

    private Task<ApiResponse> SendAsync(string token, string device, string contact, string text) =>
        app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{device}/message", Auth.Bearer(token), new { contact, platform = "wa", text });

    private async Task<string> SendTextAsync(string token, string device, string contact, string text)
    {
        var response = await SendAsync(token, device, contact, text);
        return ResultOf(response)["status"]!.GetValue<string>() is var status && status == "sent" ? status : $"{status}: {response.Body}";
    }

    private static JsonNode ResultOf(ApiResponse response) =>
        Assert.Single(response.Body?["results"]?.AsArray() ?? throw new InvalidOperationException($"{response.Status}: {response.Body}"))!;

    private async Task<JsonArray> DevicesAsync(string token) =>
        (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token))).Body!.AsArray();

    /// <summary>What the device sent through the bridge, once there are <paramref name="expected"/> messages (the bridge records them as it gets them).</summary>
    private Task<List<JsonNode>> SentAsync(string device, int expected = 0) =>
        Eventually.ValueAsync(
            async () => (await app.Sandbox.CallAsync(HttpMethod.Get, $"/sandbox/sent?device_id={device}")).Body!.AsArray().Select(n => n!).ToList(),
            sent => sent.Count >= expected, TimeSpan.FromSeconds(15), sent => $"{sent.Count} of {expected} messages reached the bridge");
}
