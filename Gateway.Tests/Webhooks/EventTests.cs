using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Sandbox;

namespace Gateway.Tests.Webhooks;

/// <summary>
/// Events on webhooks (docs/api.md#events-on-webhooks) end to end through the sandbox bridge, which reports as bridgev2
/// does: what became of each message sent, what contacts do to messages, and what became of a device.
/// </summary>
[Collection(WebhooksCollection.Name)]
public sealed class EventTests(WebhooksApp app) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.Sandbox.CallAsync(HttpMethod.Delete, "/sandbox/switches");

    [Fact]
    public async Task A_direct_message_is_sent_then_delivered_then_read_each_once_and_its_status_can_be_asked()
    {
        await using var statuses = await WebhookReceiver.StartAsync();
        await using var messages = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, statuses.Url, events: ["message.status"]);
        await app.CreateWebhookAsync(token, messages.Url);
        var device = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();

        var messageId = await SendAsync(token, device, new { contact, platform = "wa", text = "Did you get this?" });
        await statuses.WaitForAsync(1);
        await Control("/sandbox/delivery", new { device_id = device, event_id = messageId, status = "delivered" });
        await Control("/sandbox/delivery", new { device_id = device, event_id = messageId, status = "delivered" }); // reported twice
        await statuses.WaitForAsync(2);
        await ReadAsync(new { device_id = device, from = contact });
        var answer = await app.ReceiveAsync(device, contact, "yes!");

        var posts = await statuses.WaitForAsync(3);
        Assert.Equal(["sent", "delivered", "read"], posts.Select(p => p.Json["status"]!.GetValue<string>()));
        var read = posts[2].Json.AsObject();
        Assert.Equal(["event", "id", "device_id", "chat", "timestamp", "message_id", "recipient", "status", "error"], read.Select(p => p.Key));
        Assert.Equal(("message.status", messageId, contact, device), (read["event"]!.GetValue<string>(), read["message_id"]!.GetValue<string>(),
            read["recipient"]!.GetValue<string>(), read["device_id"]!.GetValue<string>()));
        Assert.Equal("contact", read["chat"]!["type"]!.GetValue<string>());
        Assert.Equal(posts.Count, posts.Select(p => p.Json["id"]!.GetValue<string>()).Distinct().Count());
        // The message webhook hears the answer and no status; the status webhook hears no message.
        Assert.Equal(answer.EventId, Assert.Single(await messages.WaitForAsync(1)).EventId);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(3, statuses.Requests.Count);

        var status = await app.Api.CallAsync(HttpMethod.Get, $"/api/v1/devices/{device}/messages/{messageId}", Auth.Bearer(token));
        Assert.Equal(HttpStatusCode.OK, status.Status);
        Assert.Equal(("read", contact), (status.Body!["status"]!.GetValue<string>(), status.Body["recipient"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_group_message_goes_from_sent_to_read_when_the_first_member_reads_it()
    {
        await using var statuses = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, statuses.Url, events: ["message.status"]);
        var device = await app.LinkDeviceAsync(token);
        var link = $"https://chat.whatsapp.com/{Guid.NewGuid():N}";
        var messageId = await SendAsync(token, device, new { group_url = link, platform = "wa", text = "Hello all" });
        await statuses.WaitForAsync(1);

        var delivery = await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/delivery", json: new { device_id = device, event_id = messageId, status = "delivered" });
        await ReadAsync(new { device_id = device, from = SandboxSteps.NewPhone(), group = link });
        await ReadAsync(new { device_id = device, from = SandboxSteps.NewPhone(), group = link });

        Assert.Equal(HttpStatusCode.Conflict, delivery.Status); // WhatsApp has no delivery receipts in groups
        var posts = await statuses.WaitForAsync(2);
        Assert.Equal(["sent", "read"], posts.Select(p => p.Json["status"]!.GetValue<string>()));
        Assert.Equal(("group", link), (posts[1].Json["chat"]!["type"]!.GetValue<string>(), posts[1].Json["recipient"]!.GetValue<string>()));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(2, statuses.Requests.Count); // the second member's receipt tells nothing new
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_refused_message_fails_with_the_bridges_words_and_read_and_failed_come_even_without_status_events(bool statusEvents)
    {
        await using var statuses = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, statuses.Url, events: ["message.status"]);
        var device = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();
        await Control("/sandbox/switches", new { message_status_events = statusEvents });

        var read = await SendAsync(token, device, new { contact, platform = "wa", text = "this one goes" });
        if (statusEvents)
        {
            await statuses.WaitForAsync(1); // sent, before it is read
        }
        await ReadAsync(new { device_id = device, from = contact });
        await statuses.WaitForAsync(statusEvents ? 2 : 1);
        await Control("/sandbox/switches", new { refuse_sends = 1, refuse_reason = "The recipient blocked you" });
        var refused = await SendAsync(token, device, new { contact, platform = "wa", text = "this one does not" });

        var posts = await statuses.WaitForAsync(statusEvents ? 3 : 2);
        Assert.Equal(statusEvents ? ["sent", "read", "failed"] : ["read", "failed"], posts.Select(p => p.Json["status"]!.GetValue<string>()));
        Assert.Equal((read, refused), (posts[^2].Json["message_id"]!.GetValue<string>(), posts[^1].Json["message_id"]!.GetValue<string>()));
        Assert.Equal("The recipient blocked you", posts[^1].Json["error"]!.GetValue<string>());
        var status = await app.Api.CallAsync(HttpMethod.Get, $"/api/v1/devices/{device}/messages/{refused}", Auth.Bearer(token));
        Assert.Equal(("failed", "The recipient blocked you"), (status.Body!["status"]!.GetValue<string>(), status.Body["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_contacts_reaction_its_removal_an_edit_and_a_deletion_arrive_in_order_pointing_at_their_message()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url, events: ["*"]);
        var device = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();
        var mine = await SendAsync(token, device, new { contact, platform = "wa", text = "Lunch?" });
        var theirs = await app.ReceiveAsync(device, contact, "Sure, at noon");

        var reaction = await Control("/sandbox/react", new { device_id = device, from = contact, event_id = mine, reaction = "👍" });
        var removal = await Control("/sandbox/react", new { device_id = device, from = contact, event_id = mine, reaction = "" });
        var edit = await Control("/sandbox/edit", new { device_id = device, from = contact, event_id = theirs.EventId, text = "Sure, at one" });
        var deletion = await Control("/sandbox/delete", new { device_id = device, from = contact, event_id = theirs.EventId });

        var posts = await EventsAsync(receiver, 5, p => p["event"]!.GetValue<string>() is not ("message.status" or "device.status"));
        Assert.Equal(["message", "message.reaction", "message.reaction", "message.edited", "message.deleted"], posts.Select(p => p["event"]!.GetValue<string>()));
        Assert.Equal((reaction, mine, "👍"), (posts[1]["id"]!.GetValue<string>(), posts[1]["message_id"]!.GetValue<string>(), posts[1]["reaction"]!.GetValue<string>()));
        Assert.Equal((removal, mine, ""), (posts[2]["id"]!.GetValue<string>(), posts[2]["message_id"]!.GetValue<string>(), posts[2]["reaction"]!.GetValue<string>()));
        Assert.Equal((edit, theirs.EventId, "Sure, at one"), (posts[3]["id"]!.GetValue<string>(), posts[3]["message_id"]!.GetValue<string>(), posts[3]["message"]!.GetValue<string>()));
        Assert.Equal((deletion, theirs.EventId), (posts[4]["id"]!.GetValue<string>(), posts[4]["message_id"]!.GetValue<string>()));
        Assert.All(posts.Skip(1), p => Assert.Equal(contact, p["from"]!.GetValue<string>())); // as the caller wrote the contact
    }

    [Fact]
    public async Task A_sticker_a_location_and_a_voice_note_arrive_as_messages_with_what_they_carry()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var device = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();
        var image = TestFiles.Png(32, 32);
        var opus = new byte[] { 0x4F, 0x67, 0x67, 0x53, 0, 2, 0, 0 };

        var sticker = await Incoming(new { device_id = device, from = contact, sticker = true,
            media = new { mime_type = "image/png", base64 = Convert.ToBase64String(image), filename = "sticker.png" } });
        var location = await Incoming(new { device_id = device, from = contact, location = new { latitude = 48.8584, longitude = 2.2945, name = "Eiffel Tower" } });
        var voice = await Incoming(new { device_id = device, from = contact, voice = true,
            media = new { mime_type = "audio/ogg", base64 = Convert.ToBase64String(opus), filename = "voice.ogg", duration_ms = 1200 } });

        var posts = (await receiver.WaitForAsync(3)).Select(p => p.Json).ToList();
        Assert.Equal([sticker, location, voice], posts.Select(p => p["id"]!.GetValue<string>()));
        Assert.Equal("m.sticker", posts[0]["type"]!.GetValue<string>());
        Assert.Equal(image, Convert.FromBase64String(posts[0]["media"]!["content"]!.GetValue<string>()));
        Assert.Equal(("m.location", 48.8584, 2.2945, "Eiffel Tower"), (posts[1]["type"]!.GetValue<string>(), posts[1]["location"]!["latitude"]!.GetValue<double>(),
            posts[1]["location"]!["longitude"]!.GetValue<double>(), posts[1]["location"]!["name"]!.GetValue<string>()));
        Assert.Equal(("m.audio", true), (posts[2]["type"]!.GetValue<string>(), posts[2]["voice"]!.GetValue<bool>()));
        Assert.Equal(opus, Convert.FromBase64String(posts[2]["media"]!["content"]!.GetValue<string>()));
        Assert.False(posts[0]["voice"]!.GetValue<bool>());
        Assert.Null(posts[0]["location"]);
    }

    [Fact]
    public async Task Any_message_can_be_answered_by_its_chat_id_a_groups_included()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var device = await app.LinkDeviceAsync(token);
        var group = "1203630" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);
        await app.ReceiveAsync(device, SandboxSteps.NewPhone(), "Anyone in the group?", group: group);
        await app.ReceiveAsync(device, SandboxSteps.NewPhone(), "Just me, directly");

        var posts = (await receiver.WaitForAsync(2)).Select(p => p.Json).ToList();
        var (groupChat, contactChat) = (posts[0]["chat"]!, posts[1]["chat"]!);
        Assert.Equal(("group", "contact"), (groupChat["type"]!.GetValue<string>(), contactChat["type"]!.GetValue<string>()));
        var toGroup = await SendAsync(token, device, new { group_id = groupChat["id"]!.GetValue<string>(), platform = "wa", text = "Me too", reply_id = posts[0]["id"]!.GetValue<string>() });
        var toContact = await SendAsync(token, device, new { contact = contactChat["id"]!.GetValue<string>(), platform = "wa", text = "Hi you" });
        var unknown = await app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{device}/message", Auth.Bearer(token),
            new { group_id = "999@g.us", platform = "wa", text = "nobody" });

        // The bridge takes what the gateway sent from the homeserver in its own time.
        var sent = await Eventually.ValueAsync(async () => (await app.Sandbox.CallAsync(HttpMethod.Get, $"/sandbox/sent?device_id={device}")).Body!.AsArray(),
            events => new[] { toGroup, toContact }.All(id => events.Any(m => m!["event_id"]!.GetValue<string>() == id)), TimeSpan.FromSeconds(15),
            events => $"the bridge has {events.ToJsonString()}");
        Assert.Equal(groupChat["id"]!.GetValue<string>(), sent.Single(m => m!["event_id"]!.GetValue<string>() == toGroup)!["chat_id"]!.GetValue<string>());
        Assert.Equal(posts[0]["id"]!.GetValue<string>(), sent.Single(m => m!["event_id"]!.GetValue<string>() == toGroup)!["reply_to"]!.GetValue<string>());
        Assert.Equal(contactChat["id"]!.GetValue<string>(), sent.Single(m => m!["event_id"]!.GetValue<string>() == toContact)!["chat_id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadGateway, unknown.Status);
        Assert.Equal("Unknown group_id: 999@g.us", unknown.Body!["results"]![0]!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_device_tells_when_it_connects_logs_out_relinks_moves_away_and_is_deleted()
    {
        await using var first = await WebhookReceiver.StartAsync();
        await using var second = await WebhookReceiver.StartAsync();
        var (_, firstToken) = await app.CreateTokenAsync(app.SuperAdmin);
        var (_, secondToken) = await app.CreateTokenAsync((await app.CreateCredentialAsync()).Auth, new { use_host = false });
        await app.CreateWebhookAsync(firstToken, first.Url, events: ["device.status"]);
        await app.CreateWebhookAsync(secondToken, second.Url, events: ["device.status"]);

        var phone = await app.LinkDeviceAsync(firstToken);
        await first.WaitForAsync(1);
        await Control("/sandbox/logout", new { device_id = phone });
        await first.WaitForAsync(2);
        Assert.Equal(phone, await app.LinkDeviceAsync(firstToken, phone));
        await first.WaitForAsync(3);
        Assert.Equal(phone, await app.LinkDeviceAsync(secondToken, phone));
        await second.WaitForAsync(1);
        var deleted = await app.Api.CallAsync(HttpMethod.Delete, "/api/v1/devices", Auth.Bearer(secondToken), new { device_id = phone, platform = "wa" });
        Assert.Equal(HttpStatusCode.OK, deleted.Status);

        var lost = (await first.WaitForAsync(4)).Select(p => p.Json).ToList();
        Assert.Equal(["connected", "logged_out", "connected", "moved"], lost.Select(p => p["status"]!.GetValue<string>()));
        Assert.Contains("logged out", lost[1]["status_reason"]!.GetValue<string>()); // the bot's words, as GET /devices shows them
        var kept = (await second.WaitForAsync(2)).Select(p => p.Json).ToList();
        Assert.Equal(["connected", "deleted"], kept.Select(p => p["status"]!.GetValue<string>()));
        Assert.All(lost.Concat(kept), p => Assert.Equal(("device.status", phone, "wa"),
            (p["event"]!.GetValue<string>(), p["device_id"]!.GetValue<string>(), p["platform"]!.GetValue<string>())));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(4, first.Requests.Count); // the identity that lost the phone hears nothing of its deletion
    }

    [Fact]
    public async Task Event_kinds_are_checked_and_an_unknown_one_changes_nothing()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var created = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token), new { url = "https://example.com/seed" });
        var unknown = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token), new { url = "https://example.com/x", events = new[] { "message", "message.read" } });
        var empty = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token), new { url = "https://example.com/y", events = Array.Empty<string>() });
        var id = created.Body!["id"]!.GetValue<int>();
        var badUpdate = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/webhooks/{id}", Auth.Bearer(token), new { url = "https://example.com/z", events = new[] { "typing" } });
        var updated = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/webhooks/{id}", Auth.Bearer(token), new { events = new[] { "message.status", "message.status", "device.status" } });

        Assert.Equal(["message"], created.Body["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.BadRequest, "Unknown event: message.read"), (unknown.Status, unknown.Error));
        Assert.Equal((HttpStatusCode.BadRequest, "events must be a non-empty list of event kinds"), (empty.Status, empty.Error));
        Assert.Equal((HttpStatusCode.BadRequest, "Unknown event: typing"), (badUpdate.Status, badUpdate.Error));
        Assert.Equal(["message.status", "device.status"], updated.Body!["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        var listed = (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer(token))).Body!.AsArray();
        Assert.Equal("https://example.com/seed", Assert.Single(listed)!["url"]!.GetValue<string>()); // the refused update changed nothing else
    }

    /// <summary>The first <paramref name="count"/> payloads a receiver got that <paramref name="match"/>, once it has them.</summary>
    private static Task<List<JsonNode>> EventsAsync(WebhookReceiver receiver, int count, Func<JsonNode, bool> match) =>
        Eventually.ValueAsync(() => Task.FromResult(receiver.Requests.Select(r => r.Json).Where(match).ToList()), events => events.Count >= count,
            TimeSpan.FromSeconds(30), events => $"{events.Count} of {count} events: {string.Join(", ", events.Select(e => e.ToJsonString()))}");

    private async Task<string> SendAsync(string token, string device, object body)
    {
        var sent = await app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{device}/message", Auth.Bearer(token), body);
        Assert.True(sent.Status == HttpStatusCode.OK, $"send: {sent.Status} {sent.Body}");
        return sent.Body!["results"]![0]!["message_id"]!.GetValue<string>();
    }

    /// <summary>A contact reads the chat, once the bridge has what the gateway sent there (it takes it from the homeserver in its own time).</summary>
    private Task ReadAsync(object body) =>
        Eventually.ValueAsync(() => app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/read", json: body), read => read.Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), read => $"/sandbox/read: {read.Status} {read.Body}");

    private async Task<string> Incoming(object body) => (await Control("/sandbox/incoming", body))!;

    /// <summary>A sandbox control call that must succeed; the id of the event it made, if any.</summary>
    private async Task<string?> Control(string path, object body)
    {
        var response = await app.Sandbox.CallAsync(HttpMethod.Post, path, json: body);
        Assert.True(response.Status == HttpStatusCode.OK, $"{path}: {response.Status} {response.Body}");
        return response.Body?["event_id"]?.GetValue<string>();
    }
}
