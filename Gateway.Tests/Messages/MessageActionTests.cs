using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Gateway.Tests.Devices;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Sandbox;

namespace Gateway.Tests.Messages;

/// <summary>
/// Message actions (docs/api.md#message-actions) end to end: each reaches the sandbox bridge as the real bridge takes it
/// (what it received is in <c>/sandbox/sent</c>), on a message of the caller's own chats only.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class MessageActionTests(SandboxApp app) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.ControlAsync(HttpMethod.Delete, "/sandbox/switches");

    [Fact]
    public async Task A_reaction_replaces_the_callers_earlier_one_and_an_empty_one_takes_it_back()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var contact = SandboxApp.NewPhone();
        var theirs = await ReceiveAsync(token, device, contact, "Lunch at noon?");

        var thumb = await ActAsync(token, HttpMethod.Post, $"/api/v1/devices/{device}/messages/{theirs}/reactions", new { reaction = "👍" });
        var heart = await ActAsync(token, HttpMethod.Post, $"/api/v1/devices/{device}/messages/{theirs}/reactions", new { reaction = "❤️" });
        var removed = await ActAsync(token, HttpMethod.Post, $"/api/v1/devices/{device}/messages/{theirs}/reactions", new { reaction = "" });

        Assert.Equal(("Reaction sent", "Reaction removed"), (thumb["message"]!.GetValue<string>(), removed["message"]!.GetValue<string>()));
        var sent = await SentAsync(device, events => events.Count(e => e["type"]!.GetValue<string>() == "m.room.redaction") >= 1 && events.Count >= 3);
        var reactions = sent.Where(e => e["type"]!.GetValue<string>() == "m.reaction").ToList();
        Assert.Equal(["👍", "❤️"], reactions.Select(r => r["key"]!.GetValue<string>()));
        Assert.All(reactions, r => Assert.Equal(theirs, r["relates_to"]!.GetValue<string>()));
        var redaction = Assert.Single(sent, e => e["type"]!.GetValue<string>() == "m.room.redaction");
        Assert.Equal(heart["event_id"]!.GetValue<string>(), redaction["relates_to"]!.GetValue<string>()); // the bridge redacted the 👍 itself
    }

    [Fact]
    public async Task An_own_message_is_edited_and_deleted_and_a_contacts_is_neither()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var contact = SandboxApp.NewPhone();
        var mine = await SendAsync(token, device, new { contact, platform = "wa", text = "See you at 5" });
        var theirs = await ReceiveAsync(token, device, contact, "OK");

        await ActAsync(token, HttpMethod.Put, $"/api/v1/devices/{device}/messages/{mine}", new { text = "See you at 6" });
        var editTheirs = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/devices/{device}/messages/{theirs}", Auth.Bearer(token), new { text = "no" });
        var deleteTheirs = await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/devices/{device}/messages/{theirs}", Auth.Bearer(token));
        var emptyEdit = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/devices/{device}/messages/{mine}", Auth.Bearer(token), new { text = "" });
        await ActAsync(token, HttpMethod.Delete, $"/api/v1/devices/{device}/messages/{mine}");

        Assert.Equal((HttpStatusCode.Forbidden, "Only your own messages can be edited"), (editTheirs.Status, editTheirs.Error));
        Assert.Equal((HttpStatusCode.Forbidden, "Only your own messages can be deleted"), (deleteTheirs.Status, deleteTheirs.Error));
        Assert.Equal((HttpStatusCode.BadRequest, "Missing required field: text"), (emptyEdit.Status, emptyEdit.Error));
        var sent = await SentAsync(device, events => events.Count >= 3);
        Assert.Equal(["m.room.message", "m.room.message", "m.room.redaction"], sent.Select(e => e["type"]!.GetValue<string>()));
        Assert.Equal((mine, mine), (sent[1]["relates_to"]!.GetValue<string>(), sent[2]["relates_to"]!.GetValue<string>()));
        Assert.Contains("See you at 6", sent[1]["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_edit_after_the_networks_window_is_a_conflict_and_reaches_nobody()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var mine = await SendAsync(token, device, new { contact = SandboxApp.NewPhone(), platform = "wa", text = "Typo here" });

        await Task.Delay(SandboxApp.EditWindow + TimeSpan.FromSeconds(1));
        var late = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/devices/{device}/messages/{mine}", Auth.Bearer(token), new { text = "Fixed" });

        Assert.Equal(HttpStatusCode.Conflict, late.Status);
        Assert.StartsWith("The edit window has passed", late.Error);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(await SentAsync(device, events => events.Count >= 1)); // the message alone
    }

    [Fact]
    public async Task Marking_a_chat_read_sends_the_bridge_a_read_receipt_on_the_message()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var theirs = await ReceiveAsync(token, device, SandboxApp.NewPhone(), "Are you there?");

        var read = await ActAsync(token, HttpMethod.Post, $"/api/v1/devices/{device}/messages/{theirs}/read");

        Assert.Equal("Chat marked read", read["message"]!.GetValue<string>());
        var receipt = Assert.Single(await SentAsync(device, events => events.Count >= 1));
        Assert.Equal(("m.receipt", theirs), (receipt["type"]!.GetValue<string>(), receipt["relates_to"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Another_tenants_message_is_not_found_by_any_action_even_through_its_own_device()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var (otherToken, otherDevice) = await app.NewLinkedDeviceAsync();
        var mine = await SendAsync(token, device, new { contact = SandboxApp.NewPhone(), platform = "wa", text = "private" });

        var answers = new List<ApiResponse>();
        foreach (var path in new[] { $"/api/v1/devices/{otherDevice}/messages/{mine}", $"/api/v1/devices/{device}/messages/{mine}" })
        {
            answers.Add(await app.Api.CallAsync(HttpMethod.Get, path, Auth.Bearer(otherToken)));
            answers.Add(await app.Api.CallAsync(HttpMethod.Post, path + "/reactions", Auth.Bearer(otherToken), new { reaction = "👍" }));
            answers.Add(await app.Api.CallAsync(HttpMethod.Put, path, Auth.Bearer(otherToken), new { text = "mine now" }));
            answers.Add(await app.Api.CallAsync(HttpMethod.Delete, path, Auth.Bearer(otherToken)));
            answers.Add(await app.Api.CallAsync(HttpMethod.Post, path + "/read", Auth.Bearer(otherToken)));
        }

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.NotFound, "Message not found"), (a.Status, a.Error)));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(await SentAsync(otherDevice));
        Assert.Single(await SentAsync(device, events => events.Count >= 1));
    }

    [Fact]
    public async Task Actions_count_against_the_devices_send_rate_limit()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var mine = await SendAsync(token, device, new { contact = SandboxApp.NewPhone(), platform = "wa", text = "one" });

        var answers = new List<ApiResponse>();
        for (var i = 1; i <= SandboxApp.SendBurst; i++)
        {
            answers.Add(await app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{device}/messages/{mine}/reactions", Auth.Bearer(token),
                new { reaction = i % 2 == 0 ? "👍" : "❤️" }));
        }

        Assert.All(answers.SkipLast(1), a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal((HttpStatusCode.TooManyRequests, "Too many messages from this device. Retry later."), (answers[^1].Status, answers[^1].Error));
        Assert.NotNull(answers[^1].Raw.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_location_goes_as_a_geo_uri_and_bad_coordinates_change_nothing()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var contact = SandboxApp.NewPhone();

        var bad = await app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{device}/message", Auth.Bearer(token),
            new { contact, platform = "wa", location = new { latitude = 91, longitude = 0 } });
        var withText = await app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{device}/message", Auth.Bearer(token),
            new { contact, platform = "wa", text = "here", location = new { latitude = 1, longitude = 2 } });
        await SendAsync(token, device, new { contact, platform = "wa", location = new { latitude = 4.0511, longitude = 9.7679, name = "Douala port" } });

        Assert.Equal((HttpStatusCode.BadRequest, "Invalid location: latitude must be between -90 and 90 and longitude between -180 and 180"), (bad.Status, bad.Error));
        Assert.Equal((HttpStatusCode.BadRequest, "A location is sent alone: without text or file"), (withText.Status, withText.Error));
        var pin = Assert.Single(await SentAsync(device, events => events.Count >= 1));
        Assert.Equal(("m.location", "geo:4.0511,9.7679", "Douala port"), (pin["msgtype"]!.GetValue<string>(), pin["geo_uri"]!.GetValue<string>(), pin["body"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("scan.bmp", "image/bmp", "m.file")]
    [InlineData("take.wav", "audio/wav", "m.file")]
    [InlineData("photo.jpg", "image/jpeg", "m.image")]
    public async Task A_file_goes_as_what_the_network_shows_it_as_else_as_a_document(string fileName, string mimeType, string msgtype)
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var bytes = fileName.EndsWith(".jpg") ? TestFiles.Jpeg(64, 48) : TestFiles.Pdf();

        var sent = await SendFormAsync(token, device, fileName, bytes);

        Assert.Equal(HttpStatusCode.OK, sent.Status);
        var file = Assert.Single(await SentAsync(device, events => events.Count >= 1));
        Assert.Equal((msgtype, mimeType), (file["msgtype"]!.GetValue<string>(), file["mime_type"]!.GetValue<string>()));
        if (msgtype == "m.image")
        {
            Assert.Equal((64, 48), (file["width"]!.GetValue<int>(), file["height"]!.GetValue<int>()));
        }
    }

    [Fact]
    public async Task An_ogg_file_goes_as_a_voice_note_and_voice_without_one_is_refused()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();

        var noFile = await app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{device}/message", Auth.Bearer(token),
            new { contact = SandboxApp.NewPhone(), platform = "wa", text = "hi", voice = true });
        var mp3 = await SendFormAsync(token, device, "note.mp3", TestFiles.Pdf(), voice: true);
        var ogg = await SendFormAsync(token, device, "note.ogg", TestFiles.Pdf(), voice: true);

        Assert.Equal((HttpStatusCode.BadRequest, "A voice note needs an Ogg Opus audio file (.ogg or .opus)"), (noFile.Status, noFile.Error));
        Assert.Equal((HttpStatusCode.BadRequest, "A voice note needs an Ogg Opus audio file (.ogg or .opus)"), (mp3.Status, mp3.Error));
        Assert.Equal(HttpStatusCode.OK, ogg.Status);
        var voice = Assert.Single(await SentAsync(device, events => events.Count >= 1));
        Assert.Equal(("m.audio", true, "audio/ogg; codecs=opus"),
            (voice["msgtype"]!.GetValue<string>(), voice["voice"]!.GetValue<bool>(), voice["mime_type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_number_is_checked_on_the_network_before_writing_to_it()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var (known, unknown) = (SandboxApp.NewPhone(), SandboxApp.NewPhone());
        await app.ControlAsync(HttpMethod.Post, "/sandbox/switches", new { not_on_network = new[] { unknown } });

        var found = await app.Api.CallAsync(HttpMethod.Get, $"/api/v1/devices/{device}/contacts/+{known}", Auth.Bearer(token));
        var missing = await app.Api.CallAsync(HttpMethod.Get, $"/api/v1/devices/{device}/contacts/{unknown}", Auth.Bearer(token));
        var malformed = await app.Api.CallAsync(HttpMethod.Get, $"/api/v1/devices/{device}/contacts/call-me", Auth.Bearer(token));
        var notMine = await app.Api.CallAsync(HttpMethod.Get, $"/api/v1/devices/{SandboxApp.NewPhone()}/contacts/{known}", Auth.Bearer(token));

        Assert.Equal(HttpStatusCode.OK, found.Status);
        Assert.True(found.Body!["on_network"]!.GetValue<bool>());
        Assert.Equal(("contact", known), (found.Body["chat"]!["type"]!.GetValue<string>(), found.Body["chat"]!["id"]!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.NotFound, $"{unknown} is not on WhatsApp"), (missing.Status, missing.Error));
        Assert.Equal((HttpStatusCode.BadRequest, "Invalid phone number: use the international format, e.g. +237123456789"), (malformed.Status, malformed.Error));
        Assert.Equal((HttpStatusCode.NotFound, "Device not found"), (notMine.Status, notMine.Error));
        // Asked, not written to: the chat id is taken back as a contact, and reaches the number checked.
        Assert.Empty(await SentAsync(device));
        await SendAsync(token, device, new { contact = found.Body["chat"]!["id"]!.GetValue<string>(), platform = "wa", text = "Hello" });
        Assert.Equal(known, Assert.Single(await SentAsync(device, events => events.Count >= 1))["recipient"]!.GetValue<string>());
    }

    /// <summary>A contact writes to the device; once the gateway has read it (an action on it finds it), its event id.</summary>
    private async Task<string> ReceiveAsync(string token, string device, string contact, string text)
    {
        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text });
        Assert.True(incoming.Status == HttpStatusCode.OK, $"incoming: {incoming.Status} {incoming.Body}");
        var eventId = incoming.Body!["event_id"]!.GetValue<string>();
        // An own message alone has a status: this asks the gateway whether it knows the message without acting on it.
        await Eventually.ValueAsync(() => app.Api.CallAsync(HttpMethod.Put, $"/api/v1/devices/{device}/messages/{eventId}", Auth.Bearer(token), new { text = "" }),
            answer => answer.Status != HttpStatusCode.NotFound, TimeSpan.FromSeconds(30), answer => $"the gateway never read {eventId}: {answer.Status}");
        return eventId;
    }

    private async Task<string> SendAsync(string token, string device, object body)
    {
        var sent = await app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{device}/message", Auth.Bearer(token), body);
        Assert.True(sent.Status == HttpStatusCode.OK, $"send: {sent.Status} {sent.Body}");
        return sent.Body!["results"]![0]!["message_id"]!.GetValue<string>();
    }

    /// <summary>An action that must succeed; its answer.</summary>
    private async Task<JsonNode> ActAsync(string token, HttpMethod method, string path, object? body = null)
    {
        var answer = await app.Api.CallAsync(method, path, Auth.Bearer(token), body);
        Assert.True(answer.Status == HttpStatusCode.OK, $"{method} {path}: {answer.Status} {answer.Body}");
        return answer.Body!;
    }

    private async Task<ApiResponse> SendFormAsync(string token, string device, string fileName, byte[] bytes, bool voice = false)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(SandboxApp.NewPhone()), "contact" },
            { new StringContent("wa"), "platform" },
            { new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", fileName },
        };
        if (voice)
        {
            form.Add(new StringContent("true"), "voice");
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/devices/{device}/message") { Content = form };
        request.Headers.Authorization = Auth.Bearer(token);
        var response = await app.Api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    /// <summary>What the bridge received from the device (its messages, reactions, edits, redactions, receipts), once <paramref name="done"/> says it is all there.</summary>
    private Task<List<JsonNode>> SentAsync(string device, Func<List<JsonNode>, bool>? done = null) =>
        Eventually.ValueAsync(
            async () => (await app.ControlAsync(HttpMethod.Get, $"/sandbox/sent?device_id={device}")).Body!.AsArray().Select(n => n!).ToList(),
            sent => done?.Invoke(sent) ?? true, TimeSpan.FromSeconds(15), sent => $"the bridge has {sent.Count} events: {string.Join(", ", sent.Select(e => e.ToJsonString()))}");
}
