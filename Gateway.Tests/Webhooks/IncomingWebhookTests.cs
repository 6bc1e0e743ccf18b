using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using SkiaSharp;

namespace Gateway.Tests.Webhooks;

/// <summary>
/// End to end: a contact writes to a linked phone through the sandbox bridge, the SyncWorker sees the message on the
/// homeserver, and the customer's receiver gets the payload users already parse, signed.
/// </summary>
[Collection(WebhooksCollection.Name)]
public sealed class IncomingWebhookTests(WebhooksApp app)
{
    [Fact]
    public async Task A_text_message_arrives_once_with_the_exact_payload_and_a_valid_signature()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (tokenId, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);
        var deviceId = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();

        var message = await app.ReceiveAsync(deviceId, contact, "Good morning ☀️ é");

        var post = Assert.Single(await receiver.WaitForAsync(1));
        post.VerifyWith(webhook.Secret);
        Assert.Equal(message.EventId, post.EventId);
        var expected = new JsonObject
        {
            ["id"] = message.EventId,
            ["is_contact"] = false,
            ["type"] = "m.text",
            ["from"] = message.Sender, // the contact's ghost, a LID one on WhatsApp
            ["to"] = await app.MatrixUserIdAsync(tokenId),
            ["message"] = "Good morning ☀️ é",
            ["device_id"] = deviceId,
            ["media"] = SandboxSteps.NoMedia(),
        };
        var payload = post.Json.AsObject();
        Assert.Equal(expected.ToJsonString(), new JsonObject(payload.Take(expected.Count).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))).ToJsonString());
        // After the seed's fields, only additions (docs/api.md#events-on-webhooks).
        Assert.Equal(["event", "timestamp", "chat", "reply_to", "location", "voice"], payload.Skip(expected.Count).Select(p => p.Key));
        Assert.Equal("message", payload["event"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", payload["timestamp"]!.GetValue<string>());
        Assert.Equal("contact", payload["chat"]!["type"]!.GetValue<string>());
        Assert.EndsWith("@lid", payload["chat"]!["id"]!.GetValue<string>());
        Assert.Equal((null, null, false), (payload["reply_to"], payload["location"], payload["voice"]!.GetValue<bool>()));

        // Exactly once: a later message arrives, and the first was not sent again before it.
        var next = await app.ReceiveAsync(deviceId, contact, "second");
        var posts = await receiver.WaitForAsync(2);
        Assert.Equal([message.EventId, next.EventId], posts.Select(p => p.EventId));
        var delivery = await app.SettledDeliveryAsync(token, webhook.Id, message.EventId);
        Assert.Equal(("delivered", 1), (delivery["status"]!.GetValue<string>(), delivery["attempts"]!.GetValue<int>()));
    }

    [Fact]
    public async Task An_image_arrives_as_base64_with_its_size_type_dimensions_and_blurhash()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var deviceId = await app.LinkDeviceAsync(token);
        var png = Gradient(64, 48);

        var message = await app.ReceiveAsync(deviceId, SandboxSteps.NewPhone(), "Look at this",
            media: new { mime_type = "image/png", base64 = Convert.ToBase64String(png), filename = "sunset.png" });

        var payload = Assert.Single(await receiver.WaitForAsync(1)).Json;
        Assert.Equal(message.EventId, payload["id"]!.GetValue<string>());
        Assert.Equal("m.image", payload["type"]!.GetValue<string>());
        Assert.Equal("Look at this", payload["message"]!.GetValue<string>());
        var media = payload["media"]!;
        Assert.Equal(png, Convert.FromBase64String(media["content"]!.GetValue<string>()));
        var info = media["info"]!;
        Assert.Equal(png.Length, info["size"]!.GetValue<long>());
        Assert.Equal("image/png", info["mime_type"]!.GetValue<string>());
        Assert.Equal((64, 48), (info["width"]!.GetValue<int>(), info["height"]!.GetValue<int>()));
        Assert.Matches(@"^[0-9A-Za-z#$%*+,\-.:;=?@\[\]^_{|}~]{28}$", info["blur_hash"]!.GetValue<string>()); // 4×3 components
    }

    [Fact]
    public async Task A_file_without_caption_has_an_empty_message_and_no_image_fields()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var deviceId = await app.LinkDeviceAsync(token);
        var pdf = "%PDF-1.4 not really a pdf"u8.ToArray();

        await app.ReceiveAsync(deviceId, SandboxSteps.NewPhone(),
            media: new { mime_type = "application/pdf", base64 = Convert.ToBase64String(pdf), filename = "invoice.pdf" });

        var payload = Assert.Single(await receiver.WaitForAsync(1)).Json;
        Assert.Equal(("m.file", ""), (payload["type"]!.GetValue<string>(), payload["message"]!.GetValue<string>()));
        Assert.Equal(pdf, Convert.FromBase64String(payload["media"]!["content"]!.GetValue<string>()));
        // The real bridge sends an uncaptioned file with an empty body: its name is kept in the info.
        Assert.Equal("""{"size":25,"mime_type":"application/pdf","width":0,"height":0,"blur_hash":"","file_name":"invoice.pdf"}""", payload["media"]!["info"]!.ToJsonString());
    }

    [Fact]
    public async Task A_group_message_comes_from_the_members_ghost_and_the_phones_own_messages_are_not_incoming()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var deviceId = await app.LinkDeviceAsync(token);
        var member = SandboxSteps.NewPhone();
        var group = "1203630" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);

        await app.ReceiveAsync(deviceId, member, "typed on the phone itself", fromMe: true);
        var message = await app.ReceiveAsync(deviceId, member, "Hello group", group: group);

        var payload = Assert.Single(await receiver.WaitForAsync(1)).Json;
        Assert.Equal(message.EventId, payload["id"]!.GetValue<string>());
        Assert.Equal(message.Sender, payload["from"]!.GetValue<string>());
        Assert.False(payload["is_contact"]!.GetValue<bool>());
        Assert.Equal(("Hello group", deviceId), (payload["message"]!.GetValue<string>(), payload["device_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_contact_the_identity_has_messaged_is_reported_as_the_caller_wrote_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var deviceId = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();
        var asWritten = $"+{contact[..3]} {contact[3..6]} {contact[6..]}";

        var before = await app.ReceiveAsync(deviceId, contact, "before");
        var sent = await app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{deviceId}/message", Auth.Bearer(token),
            new { contact = asWritten, platform = "wa", text = "Hi there" });
        Assert.Equal(HttpStatusCode.OK, sent.Status);
        await app.ReceiveAsync(deviceId, contact, "after");

        var posts = await receiver.WaitForAsync(2);
        Assert.Equal((false, before.Sender), (posts[0].Json["is_contact"]!.GetValue<bool>(), posts[0].Json["from"]!.GetValue<string>()));
        Assert.Equal((true, asWritten), (posts[1].Json["is_contact"]!.GetValue<bool>(), posts[1].Json["from"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Every_token_of_the_identity_gets_it_and_another_identity_does_not()
    {
        await using var first = await WebhookReceiver.StartAsync();
        await using var second = await WebhookReceiver.StartAsync();
        await using var stranger = await WebhookReceiver.StartAsync();
        var (_, shared1) = await app.CreateTokenAsync(app.SuperAdmin, new { use_host = true });
        var (_, shared2) = await app.CreateTokenAsync(app.SuperAdmin, new { use_host = true });
        var (_, other) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(shared1, first.Url);
        await app.CreateWebhookAsync(shared2, second.Url);
        await app.CreateWebhookAsync(other, stranger.Url);
        var hostDevice = await app.LinkDeviceAsync(shared1);
        var otherDevice = await app.LinkDeviceAsync(other);

        var message = await app.ReceiveAsync(hostDevice, SandboxSteps.NewPhone(), "for the host");
        var own = await app.ReceiveAsync(otherDevice, SandboxSteps.NewPhone(), "for the other identity");

        Assert.Equal(message.EventId, Assert.Single(await first.WaitForAsync(1)).EventId);
        Assert.Equal(message.EventId, Assert.Single(await second.WaitForAsync(1)).EventId);
        Assert.Equal(own.EventId, Assert.Single(await stranger.WaitForAsync(1)).EventId);
    }

    [Fact]
    public async Task Messages_that_arrive_while_the_receiver_is_down_are_all_delivered_in_order_once_it_is_up()
    {
        var down = await WebhookReceiver.StartAsync();
        var url = down.Url;
        await down.DisposeAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, url);
        var deviceId = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();

        var sent = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add((await app.ReceiveAsync(deviceId, contact, $"message {i}")).EventId);
        }
        await Eventually.HoldsAsync(async () =>
            (await app.DeliveriesAsync(token, webhook.Id)).Body!.AsArray().Any(d => d!["attempts"]!.GetValue<int>() >= 2),
            TimeSpan.FromSeconds(30), () => "the first delivery was never retried");
        await using var up = await WebhookReceiver.StartAsync(url);

        var posts = await up.WaitForAsync(5);
        Assert.Equal(sent, posts.Select(p => p.EventId));
    }

    [Fact]
    public async Task A_receiver_that_fails_twice_gets_the_message_once_after_three_attempts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerNext(HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError);
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);
        var deviceId = await app.LinkDeviceAsync(token);

        var message = await app.ReceiveAsync(deviceId, SandboxSteps.NewPhone(), "persistent");

        var delivery = await app.SettledDeliveryAsync(token, webhook.Id, message.EventId);
        Assert.Equal(("delivered", 3), (delivery["status"]!.GetValue<string>(), delivery["attempts"]!.GetValue<int>()));
        Assert.All(receiver.Requests, post => Assert.Equal(message.EventId, post.EventId));
        Assert.Equal(3, receiver.Requests.Count);
    }

    [Fact]
    public async Task Messages_survive_a_killed_syncworker_and_are_delivered_exactly_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);
        var deviceId = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();
        // One message is recorded but cannot be delivered yet when the worker stops.
        receiver.AnswerAlways(HttpStatusCode.ServiceUnavailable);
        var recorded = await app.ReceiveAsync(deviceId, contact, "recorded before the stop");
        await receiver.WaitForAsync(1);

        await app.KillAsync("syncworker"); // kill -9: no graceful shutdown
        var whileDown = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            whileDown.Add((await app.ReceiveAsync(deviceId, contact, $"while the worker is down {i}")).EventId);
        }
        receiver.AnswerAlways(null);
        var failedBefore = receiver.Requests.Count;
        await app.StartAsync("syncworker");

        var expected = new[] { recorded.EventId }.Concat(whileDown).ToList();
        await Eventually.HoldsAsync(() => receiver.Requests.Skip(failedBefore).Select(p => p.EventId).Distinct().Count() == expected.Count,
            TimeSpan.FromSeconds(60), () => $"{receiver.Requests.Count - failedBefore} POSTs after the restart");
        var last = await app.ReceiveAsync(deviceId, contact, "after the restart");
        var afterRestart = (await receiver.WaitForAsync(failedBefore + expected.Count + 1)).Skip(failedBefore).Select(p => p.EventId).ToList();
        Assert.Equal([.. expected, last.EventId], afterRestart);
        foreach (var eventId in expected)
        {
            Assert.Equal("delivered", (await app.SettledDeliveryAsync(token, webhook.Id, eventId))["status"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_burst_larger_than_one_sync_timeline_is_delivered_whole_and_in_order()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var deviceId = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();
        var first = await app.ReceiveAsync(deviceId, contact, "the portal exists");
        await receiver.WaitForAsync(1);

        // While the worker is down, more messages pile up than one /sync timeline carries (100).
        await app.StopAsync("syncworker");
        var burst = new List<string>();
        for (var i = 0; i < 130; i++)
        {
            burst.Add((await app.ReceiveAsync(deviceId, contact, $"burst {i}")).EventId);
        }
        await app.StartAsync("syncworker");

        var posts = await receiver.WaitForAsync(1 + burst.Count, TimeSpan.FromSeconds(90));
        Assert.Equal([first.EventId, .. burst], posts.Select(p => p.EventId));
    }

    private static byte[] Gradient(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 4), (byte)(y * 5), (byte)(255 - x * 2)));
            }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
