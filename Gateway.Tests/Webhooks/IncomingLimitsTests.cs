using System.IO.Compression;
using System.Net;
using Gateway.Shared.Data;
using Gateway.Shared.Webhooks;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Sandbox;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Tests.Webhooks;

/// <summary>
/// The webhooks app with a 1 MiB media cap (so a file over it is small to send), room for 50 webhooks on a token, and
/// receivers paused after 2 s of failing (retries come at most 1 s apart here, so a longer silence is the pause).
/// </summary>
public sealed class IncomingLimitsApp : WebhooksApp
{
    public const int MaxMediaBytes = 1024 * 1024;
    public const int WebhooksOfHangingTenant = 50;

    protected override IEnumerable<string> Settings =>
    [
        .. base.Settings,
        $"--Gateway:Incoming:MaxMediaBytes={MaxMediaBytes}",
        $"--Gateway:Webhooks:MaxPerToken={WebhooksOfHangingTenant}",
        "--Gateway:Webhooks:PauseAfterFailingFor=00:00:02",
        "--Gateway:Webhooks:MaxPause=00:00:03",
        "--Gateway:Incoming:MaxTries=2", // each try of a never-uploaded file waits 20 s for it
    ];
}

[CollectionDefinition(Name)]
public sealed class IncomingLimitsCollection : ICollectionFixture<IncomingLimitsApp>
{
    public const string Name = "incoming-limits";
}

/// <summary>What one incoming message or one tenant may cost the others (docs/api.md#limits).</summary>
[Collection(IncomingLimitsCollection.Name)]
public sealed class IncomingLimitsTests(IncomingLimitsApp app)
{
    [Fact]
    public async Task A_huge_image_and_a_file_over_the_cap_arrive_promptly_and_a_text_right_behind_them()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var deviceId = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();
        var bomb = TestFiles.Png(20_000, 20_000, CompressionLevel.SmallestSize); // 400 megapixels in a few hundred KB
        Assert.True(bomb.Length < IncomingLimitsApp.MaxMediaBytes, $"the PNG is {bomb.Length} bytes");
        var large = new byte[IncomingLimitsApp.MaxMediaBytes + 1];
        Random.Shared.NextBytes(large);

        var image = await app.ReceiveAsync(deviceId, contact, media: new { mime_type = "image/png", base64 = Convert.ToBase64String(bomb), filename = "bomb.png" });
        var file = await app.ReceiveAsync(deviceId, contact, media: new { mime_type = "application/zip", base64 = Convert.ToBase64String(large), filename = "big.zip" });
        var text = await app.ReceiveAsync(deviceId, contact, "Did you get them?");

        var posts = await receiver.WaitForAsync(3, TimeSpan.FromSeconds(20));
        Assert.Equal([image.EventId, file.EventId, text.EventId], posts.Select(p => p.EventId));
        // Under the size cap, the image comes whole; its size is read from its header, its pixels are never decoded.
        var imageMedia = posts[0].Json["media"]!;
        Assert.Equal(bomb, Convert.FromBase64String(imageMedia["content"]!.GetValue<string>()));
        Assert.Equal("""{"size":BYTES,"mime_type":"image/png","width":20000,"height":20000,"blur_hash":"","file_name":"bomb.png"}""".Replace("BYTES", bomb.Length.ToString()),
            imageMedia["info"]!.ToJsonString());
        // Over the cap, the file stays in the media repository: no content, and the info its event announced.
        var fileMedia = posts[1].Json["media"]!;
        Assert.Null(fileMedia["content"]);
        Assert.Equal($$"""{"size":{{large.Length}},"mime_type":"application/zip","width":0,"height":0,"blur_hash":"","file_name":"big.zip"}""", fileMedia["info"]!.ToJsonString());
        Assert.Equal("Did you get them?", posts[2].Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task One_message_is_stored_once_for_all_its_webhooks_and_let_go_once_delivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhooks = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            webhooks.Add((await app.CreateWebhookAsync(token, new Uri(receiver.Url + "?copy=" + i))).Id);
        }
        receiver.AnswerAlways(HttpStatusCode.ServiceUnavailable); // held pending, so the stored payload can be looked at
        var deviceId = await app.LinkDeviceAsync(token);
        var png = TestFiles.Png(300, 200);

        var message = await app.ReceiveAsync(deviceId, SandboxSteps.NewPhone(), "Three copies?",
            media: new { mime_type = "image/png", base64 = Convert.ToBase64String(png), filename = "copy.png" });
        await receiver.WaitForAsync(3);

        await using (var db = app.OpenDb())
        {
            var payloads = await db.DeliveryPayloads.Where(p => p.EventId == message.EventId).Select(p => p.Id).ToListAsync();
            var deliveries = await db.WebhookDeliveries.Where(d => d.EventId == message.EventId).ToListAsync();
            var payloadId = Assert.Single(payloads);
            Assert.Equal(webhooks.Order(), deliveries.Select(d => d.WebhookId).Order());
            Assert.All(deliveries, d => Assert.Equal(payloadId, d.PayloadId));
        }
        receiver.AnswerAlways(null);
        foreach (var webhook in webhooks)
        {
            Assert.Equal("delivered", (await app.SettledDeliveryAsync(token, webhook, message.EventId))["status"]!.GetValue<string>());
        }
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = app.OpenDb();
            return !await db.DeliveryPayloads.AnyAsync(p => p.EventId == message.EventId);
        }, TimeSpan.FromSeconds(30), () => "the payload is still stored after every webhook got it");
    }

    [Fact]
    public async Task A_tenant_whose_receivers_all_hang_does_not_delay_another_tenants_delivery()
    {
        await using var hanging = await WebhookReceiver.StartAsync(delay: TimeSpan.FromMinutes(5));
        await using var prompt = await WebhookReceiver.StartAsync();
        var (_, noisyToken) = await app.CreateTokenAsync((await app.CreateCredentialAsync()).Auth);
        for (var i = 0; i < IncomingLimitsApp.WebhooksOfHangingTenant; i++)
        {
            await app.CreateWebhookAsync(noisyToken, new Uri(hanging.Url + "?n=" + i));
        }
        var (_, quietToken) = await app.CreateTokenAsync((await app.CreateCredentialAsync()).Auth);
        await app.CreateWebhookAsync(quietToken, prompt.Url);
        var noisyDevice = await app.LinkDeviceAsync(noisyToken);
        var quietDevice = await app.LinkDeviceAsync(quietToken);

        await app.ReceiveAsync(noisyDevice, SandboxSteps.NewPhone(), "Fifty copies of this will hang");
        await hanging.WaitForAsync(1); // the worker is busy with the noisy tenant's receivers
        await Task.Delay(TimeSpan.FromSeconds(1)); // and has taken every slot it will take
        var sent = DateTimeOffset.UtcNow;
        await app.ReceiveAsync(quietDevice, SandboxSteps.NewPhone(), "Am I held up?");

        var post = Assert.Single(await prompt.WaitForAsync(1));
        // The hanging POSTs only end at the webhook timeout (10 s): a delivery behind them would take at least that long.
        Assert.True(post.At - sent < TimeSpan.FromSeconds(5), $"the quiet tenant's message took {(post.At - sent).TotalSeconds:0.0} s");
        // Nothing has timed out yet, so every POST the noisy tenant got is still in flight: no more than its share.
        Assert.InRange(hanging.Requests.Count, 1, new WebhookOptions().MaxConcurrencyPerIdentity);
    }

    [Fact]
    public async Task A_receiver_failing_for_a_long_stretch_is_paused_as_a_whole_then_gets_everything()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerAlways(HttpStatusCode.ServiceUnavailable);
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);
        var eventIds = await app.RecordIncomingAsync(webhook.Id, "!paused:localhost", ["one", "two"]);

        await Task.Delay(TimeSpan.FromSeconds(8));
        receiver.AnswerAlways(null);

        foreach (var eventId in eventIds)
        {
            Assert.Equal("delivered", (await app.SettledDeliveryAsync(token, webhook.Id, eventId))["status"]!.GetValue<string>());
        }
        var failing = receiver.Requests.Select(r => r.At).ToList();
        var longestSilence = failing.Zip(failing.Skip(1), (earlier, later) => later - earlier).Max();
        Assert.True(longestSilence >= TimeSpan.FromSeconds(1.8), $"retries came at most {longestSilence.TotalSeconds:0.0} s apart: never paused");
    }

    [Fact]
    public async Task A_file_that_never_downloads_arrives_without_content_after_its_tries_and_holds_up_nothing_after()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var deviceId = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();
        var png = TestFiles.Png(40, 30);

        // The bridge reserved the file's URL and never uploaded it: every download waits, then fails (504).
        var lost = await app.ReceiveAsync(deviceId, contact, "A photo that never came",
            media: new { mime_type = "image/png", base64 = Convert.ToBase64String(png), filename = "lost.png", never_uploaded = true });
        var next = await app.ReceiveAsync(deviceId, contact, "Did it come through?");

        var posts = await receiver.WaitForAsync(2, TimeSpan.FromSeconds(120));
        Assert.Equal([lost.EventId, next.EventId], posts.Select(p => p.EventId));
        var media = posts[0].Json["media"]!;
        Assert.Null(media["content"]);
        Assert.Equal($$"""{"size":{{png.Length}},"mime_type":"image/png","width":40,"height":30,"blur_hash":"","file_name":"lost.png"}""", media["info"]!.ToJsonString());
        Assert.Equal("A photo that never came", posts[0].Json["message"]!.GetValue<string>());
    }
}
