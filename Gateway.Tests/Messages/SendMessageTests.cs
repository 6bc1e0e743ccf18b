using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Tests.Devices;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Sandbox;

namespace Gateway.Tests.Messages;

[Collection(SandboxCollection.Name)]
public sealed class SendMessageTests(SandboxApp app)
{
    [Fact]
    public async Task A_text_reaches_one_contact_through_the_bridge()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var contact = SandboxApp.NewPhone();

        var response = await SendAsync(token, device, new { contact, platform = "wa", text = "Hello from API" });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("Message sent successfully", response.Body!["message"]!.GetValue<string>());
        var result = Assert.Single(response.Body["results"]!.AsArray())!;
        Assert.Equal(contact, result["recipient"]!.GetValue<string>());
        Assert.Equal("sent", result["status"]!.GetValue<string>());
        Assert.StartsWith("$", result["message_id"]!.GetValue<string>());
        var sent = Assert.Single(await SentAsync(device, 1));
        Assert.Equal(contact, sent["recipient"]!.GetValue<string>());
        Assert.Equal("m.text", sent["msgtype"]!.GetValue<string>());
        Assert.Equal("Hello from API", sent["body"]!.GetValue<string>());
        Assert.Equal(result["message_id"]!.GetValue<string>(), sent["event_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_timing_tells_the_waits_on_the_homeserver_and_on_the_bridge_apart()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var contact = SandboxApp.NewPhone();

        // The first message to a contact waits for the bridge to open the chat; the next goes straight to the room.
        var (firstHomeserver, firstBridge) = ServerTiming(await SendAsync(token, device, new { contact, platform = "wa", text = "first" }));
        var (nextHomeserver, nextBridge) = ServerTiming(await SendAsync(token, device, new { contact, platform = "wa", text = "next" }));

        Assert.True(firstHomeserver > 0 && firstBridge > 0, $"first send: homeserver {firstHomeserver} ms, bridge {firstBridge} ms");
        Assert.True(nextHomeserver > 0, $"next send: homeserver {nextHomeserver} ms");
        Assert.Equal(0, nextBridge);
    }

    private static (double Homeserver, double Bridge) ServerTiming(ApiResponse response)
    {
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var timing = Assert.Single(response.Raw.Headers.GetValues("Server-Timing"));
        var parts = Regex.Match(timing, @"^homeserver;dur=(\d+\.\d), bridge;dur=(\d+\.\d)$");
        Assert.True(parts.Success, timing);
        return (double.Parse(parts.Groups[1].Value, CultureInfo.InvariantCulture),
            double.Parse(parts.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Comma_separated_contacts_get_one_result_each_and_a_rejected_contact_fails_alone()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        string[] contacts = [SandboxApp.NewPhone(), SandboxApp.NewPhone(), SandboxApp.NewPhone()];
        await app.ControlAsync(HttpMethod.Post, "/sandbox/switches", new { not_on_network = new[] { contacts[1] } });

        var response = await SendAsync(token, device, new { contact = $"{contacts[0]}, {contacts[1]},{contacts[2]}, ,{contacts[0]}", platform = "wa", text = "Hi all" });
        await app.ControlAsync(HttpMethod.Delete, "/sandbox/switches");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var results = response.Body!["results"]!.AsArray();
        Assert.Equal(contacts, results.Select(r => r!["recipient"]!.GetValue<string>()));
        Assert.Equal(["sent", "failed", "sent"], results.Select(r => r!["status"]!.GetValue<string>()));
        Assert.Equal($"Failed to resolve identifier: the server said +{contacts[1]} is not on WhatsApp", results[1]!["error"]!.GetValue<string>());
        Assert.Equal([contacts[0], contacts[2]], (await SentAsync(device, 2)).Select(m => m["recipient"]!.GetValue<string>()));
    }

    [Fact]
    public async Task When_no_recipient_gets_the_message_the_answer_is_502_with_the_results()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var nobody = SandboxApp.NewPhone();
        await app.ControlAsync(HttpMethod.Post, "/sandbox/switches", new { not_on_network = new[] { nobody } });

        var response = await SendAsync(token, device, new { contact = nobody, platform = "wa", text = "Anyone?" });
        await app.ControlAsync(HttpMethod.Delete, "/sandbox/switches");

        Assert.Equal(HttpStatusCode.BadGateway, response.Status);
        Assert.Equal("application/problem+json", response.Raw.Content.Headers.ContentType!.MediaType);
        Assert.Equal("The message could not be sent to any recipient", response.Body!["detail"]!.GetValue<string>());
        Assert.Equal("Oops! something went wrong. Please try again later.", response.Error); // every 5xx, per docs/api.md#errors
        Assert.Matches("^[0-9a-f]{32}$", response.Body["trace_id"]!.GetValue<string>());
        Assert.Equal("failed", response.Body!["results"]![0]!["status"]!.GetValue<string>());
        Assert.Empty(await SentAsync(device));
    }

    [Fact]
    public async Task A_recipient_that_fails_after_another_got_the_message_fails_alone_whatever_the_failure()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var known = SandboxApp.NewPhone();
        await Task.Delay(TimeSpan.FromSeconds(16)); // grants the link kept in memory run out: the sends below keep fresh ones
        // Twice: the first send opens the chat, the second finds its room in the room map and keeps it in memory.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(token, device, new { contact = known, platform = "wa", text = "Opens the chat" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(token, device, new { contact = known, platform = "wa", text = "Finds the room" })).Status);
        var unknown = SandboxApp.NewPhone();

        ApiResponse response;
        await using (await app.FreezeAsync("postgres"))
        {
            // The token, the device and the known contact's room are in memory: only the new contact needs the database.
            response = await SendAsync(token, device, new { contact = $"{known},{unknown}", platform = "wa", text = "Half of it" });
        }

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var results = response.Body!["results"]!.AsArray();
        Assert.Equal(["sent", "failed"], results.Select(r => r!["status"]!.GetValue<string>()));
        Assert.Equal("Oops! something went wrong. Please try again later.", results[1]!["error"]!.GetValue<string>());
        Assert.Equal("Half of it", (await SentAsync(device, 3))[2]["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_group_is_joined_once_by_its_invite_link_and_reused()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var link = $"https://chat.whatsapp.com/{Guid.NewGuid():N}";

        var first = await SendAsync(token, device, new { group_url = link, platform = "wa", text = "Hello group!" });
        var second = await SendAsync(token, device, new { group_url = link, platform = "wa", text = "Again" });

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        var sent = await SentAsync(device, 2);
        Assert.Equal(["Hello group!", "Again"], sent.Select(m => m["body"]!.GetValue<string>()));
        Assert.All(sent, m => Assert.Equal("group", m["chat_type"]!.GetValue<string>()));
        Assert.Single(sent.Select(m => m["room_id"]!.GetValue<string>()).Distinct());
        var groupPortals = (await app.ControlAsync(HttpMethod.Get, $"/sandbox/portals?device_id={device}")).Body!.AsArray()
            .Where(p => p!["chat_type"]!.GetValue<string>() == "group");
        Assert.Single(groupPortals);
    }

    [Fact]
    public async Task Group_url_wins_over_contact()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();

        var response = await SendAsync(token, device, new
        {
            contact = SandboxApp.NewPhone(), group_url = $"https://chat.whatsapp.com/{Guid.NewGuid():N}", platform = "wa", text = "To the group",
        });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var sent = Assert.Single(await SentAsync(device, 1));
        Assert.Equal("group", sent["chat_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_reply_id_becomes_the_in_reply_to_relation()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var contact = SandboxApp.NewPhone();
        var original = (await SendAsync(token, device, new { contact, platform = "wa", text = "Question?" })).Body!["results"]![0]!["message_id"]!.GetValue<string>();

        var reply = await SendAsync(token, device, new { contact, platform = "wa", text = "Answer", reply_id = original });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(original, (await SentAsync(device, 2))[^1]["reply_to"]!.GetValue<string>());
    }

    [Fact]
    public async Task Phone_numbers_written_differently_are_one_contact_and_concurrent_sends_resolve_it_once()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var digits = SandboxApp.NewPhone();
        var spaced = $"+{digits[..3]} {digits[3..6]}-{digits[6..]}";

        var responses = await Task.WhenAll(
            SendAsync(token, device, new { contact = digits, platform = "wa", text = "one" }),
            SendAsync(token, device, new { contact = spaced, platform = "wa", text = "two" }),
            SendAsync(token, device, new { contact = digits, platform = "wa", text = "three" }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        var sent = await SentAsync(device, 3);
        Assert.Equal(3, sent.Count);
        Assert.Single(sent.Select(m => m["room_id"]!.GetValue<string>()).Distinct());
        var contactPortals = (await app.ControlAsync(HttpMethod.Get, $"/sandbox/portals?device_id={device}")).Body!.AsArray()
            .Where(p => p!["chat_type"]!.GetValue<string>() == "contact");
        Assert.Single(contactPortals);
    }

    [Theory]
    [InlineData("report.pdf", "application/pdf", "m.file")]
    [InlineData("photo.png", "image/png", "m.image")]
    [InlineData("clip.mp4", "video/mp4", "m.video")]
    [InlineData("voice.mp3", "audio/mpeg", "m.audio")]
    public async Task A_file_goes_by_multipart_with_its_type_size_name_and_caption(string fileName, string mimeType, string msgtype)
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var bytes = fileName.EndsWith(".png") ? TestFiles.Png(12, 7) : TestFiles.Pdf();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(SandboxApp.NewPhone()), "contact" },
            { new StringContent("wa"), "platform" },
            { new StringContent("Check out this document"), "text" },
            { new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", fileName },
        };

        var response = await SendFormAsync(token, device, form);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var sent = Assert.Single(await SentAsync(device, 1));
        Assert.Equal(msgtype, sent["msgtype"]!.GetValue<string>());
        Assert.Equal(mimeType, sent["mime_type"]!.GetValue<string>());
        Assert.Equal(bytes.Length, sent["size"]!.GetValue<long>());
        Assert.Equal(fileName, sent["file_name"]!.GetValue<string>());
        Assert.Equal("Check out this document", sent["body"]!.GetValue<string>());
        if (msgtype == "m.image")
        {
            Assert.Equal(12, sent["width"]!.GetValue<int>());
            Assert.Equal(7, sent["height"]!.GetValue<int>());
        }
    }

    [Theory]
    [InlineData("""{"contact":"1","text":"x"}""", 400, "Missing required field: platform")]
    [InlineData("""{"platform":"wa","text":"x"}""", 400, "Either contact or group_url must be provided")]
    [InlineData("""{"platform":"wa","contact":" , ","text":"x"}""", 400, "Either contact or group_url must be provided")]
    [InlineData("""{"platform":"wa","contact":"1"}""", 400, "Either text or file must be provided")]
    [InlineData("""{"platform":"xx","contact":"1","text":"x"}""", 400, "Unsupported platform: xx")]
    [InlineData("""{"platform":"wa","contact":1}""", 400, "Invalid request body. Must be a JSON object.")]
    [InlineData("""not json""", 400, "Invalid request body. Must be a JSON object.")]
    public async Task Invalid_sends_are_refused_and_send_nothing(string body, int status, string error)
    {
        var (token, device) = await app.NewLinkedDeviceAsync();

        var response = await app.Api.CallRawAsync(HttpMethod.Post, $"/api/v1/devices/{device}/message", Auth.Bearer(token), body);

        Assert.Equal(status, (int)response.Status);
        Assert.Equal(error, response.Error);
        Assert.Empty(await SentAsync(device));
    }

    [Fact]
    public async Task A_file_over_the_limit_is_413_and_sends_nothing()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("1234567890"), "contact" },
            { new StringContent("wa"), "platform" },
            { new ByteArrayContent(new byte[SandboxApp.MaxFileBytes + 1]), "file", "big.bin" },
        };

        var response = await SendFormAsync(token, device, form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal("Uploaded file is too large: the limit is 1 MiB", response.Error);
        Assert.Empty(await SentAsync(device));
    }

    [Fact]
    public async Task A_file_of_the_largest_size_goes_though_its_body_is_over_the_json_limit()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(SandboxApp.NewPhone()), "contact" },
            { new StringContent("wa"), "platform" },
            { new ByteArrayContent(new byte[SandboxApp.MaxFileBytes]), "file", "big.bin" },
        };

        var response = await SendFormAsync(token, device, form);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(SandboxApp.MaxFileBytes, Assert.Single(await SentAsync(device, 1))["size"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_json_send_over_1_MiB_is_413_and_sends_nothing()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();

        var response = await SendAsync(token, device, new { contact = "1234567890", platform = "wa", text = new string('x', 2 * 1024 * 1024) });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal("Request body is too large: the limit is 1 MiB", response.Error);
        Assert.Empty(await SentAsync(device));
    }

    [Fact]
    public async Task More_than_a_hundred_recipients_are_refused()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var contacts = string.Join(",", Enumerable.Range(0, 101).Select(i => $"23760000{i:D4}"));

        var response = await SendAsync(token, device, new { contact = contacts, platform = "wa", text = "To everyone" });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Too many recipients: at most 100", response.Error);
        Assert.Empty(await SentAsync(device));
    }

    [Fact]
    public async Task A_file_without_an_extension_is_refused()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("1234567890"), "contact" },
            { new StringContent("wa"), "platform" },
            { new ByteArrayContent(TestFiles.Pdf()), "file", "README" },
        };

        var response = await SendFormAsync(token, device, form);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Uploaded file must have a file extension", response.Error);
        Assert.Empty(await SentAsync(device));
    }

    [Fact]
    public async Task A_file_whose_type_does_not_parse_is_refused_before_anything_is_sent()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var file = new ByteArrayContent(TestFiles.Pdf());
        file.Headers.TryAddWithoutValidation("Content-Type", "bogus");
        using var form = new MultipartFormDataContent
        {
            { new StringContent("1234567890,0987654321"), "contact" },
            { new StringContent("wa"), "platform" },
            { file, "file", "notes.zzz" }, // no known extension: the part's own type is the one used
        };

        var response = await SendFormAsync(token, device, form);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Invalid file content type: bogus", response.Error);
        Assert.Empty(await SentAsync(device));
    }

    [Fact]
    public async Task A_text_too_long_for_a_matrix_event_is_refused()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();

        var response = await SendAsync(token, device, new { contact = "1234567890", platform = "wa", text = new string('é', 30_001) });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Text is too long: at most 60000 bytes", response.Error);
        Assert.Empty(await SentAsync(device));
    }

    [Fact]
    public async Task Another_tokens_device_is_404()
    {
        var (_, device) = await app.NewLinkedDeviceAsync();
        var (_, stranger) = await app.CreateTokenAsync(app.SuperAdmin);

        var response = await SendAsync(stranger, device, new { contact = "1234567890", platform = "wa", text = "Not mine" });

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("Device not found", response.Error);
        Assert.Empty(await SentAsync(device));
    }

    [Fact]
    public async Task An_unlinked_device_is_404_at_once_even_right_after_a_send()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var contact = SandboxApp.NewPhone();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(token, device, new { contact, platform = "wa", text = "Before" })).Status);

        await app.Api.CallAsync(HttpMethod.Delete, "/api/v1/devices", Auth.Bearer(token), new { device_id = device, platform = "wa" });
        var response = await SendAsync(token, device, new { contact, platform = "wa", text = "After" });

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("Device not found", response.Error);
        Assert.Equal(["Before"], (await SentAsync(device, 1)).Select(m => m!["body"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Over_the_rate_limit_a_device_gets_429_with_retry_after()
    {
        var (token, device) = await app.NewLinkedDeviceAsync();
        var contact = SandboxApp.NewPhone();

        var responses = new List<ApiResponse>();
        for (var i = 0; i <= SandboxApp.SendBurst; i++)
        {
            responses.Add(await SendAsync(token, device, new { contact, platform = "wa", text = $"message {i}" }));
        }

        Assert.All(responses.SkipLast(1), r => Assert.Equal(HttpStatusCode.OK, r.Status));
        var limited = responses[^1];
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal("Too many messages from this device. Retry later.", limited.Error);
        Assert.True(int.Parse(limited.Raw.Headers.RetryAfter!.ToString()) >= 1);
        Assert.Equal(SandboxApp.SendBurst, (await SentAsync(device, SandboxApp.SendBurst)).Count);
    }

    private Task<ApiResponse> SendAsync(string token, string device, object body) =>
        app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{device}/message", Auth.Bearer(token), body);

    private async Task<ApiResponse> SendFormAsync(string token, string device, MultipartFormDataContent form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/devices/{device}/message") { Content = form };
        request.Headers.Authorization = Auth.Bearer(token);
        var response = await app.Api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    /// <summary>What the bridge delivered for the device, once <paramref name="expected"/> messages have arrived there.</summary>
    private Task<List<JsonNode>> SentAsync(string device, int expected = 0) =>
        Eventually.ValueAsync(
            async () => (await app.ControlAsync(HttpMethod.Get, $"/sandbox/sent?device_id={device}")).Body!.AsArray().Select(n => n!).ToList(),
            sent => sent.Count >= expected, TimeSpan.FromSeconds(15), sent => $"{sent.Count} of {expected} messages reached the bridge");
}
