using System.Net;
using System.Text;
using Gateway.Shared.Data;
using Gateway.Shared.Redis;
using Gateway.Shared.Security;
using Gateway.Shared.Webhooks;
using Gateway.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using StandardWebhooks.Diagnostics;

namespace Gateway.Tests.Webhooks;

/// <summary>
/// The delivery loop against a real receiver: signed POSTs, retries, final failures, order per room. Messages are put
/// in the outbox directly here; the end-to-end tests cause them through the bridge.
/// </summary>
[Collection(WebhooksCollection.Name)]
public sealed class WebhookDeliveryTests(WebhooksApp app)
{
    [Fact]
    public async Task A_delivery_is_one_post_signed_as_standard_webhooks_that_the_official_library_verifies()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);

        var eventId = await app.RecordIncomingAsync(webhook.Id, "!room:localhost", "Good morning");

        var post = Assert.Single(await receiver.WaitForAsync(1));
        Assert.Equal("application/json", post.Headers["Content-Type"]);
        Assert.Equal("Gateway-Webhook/1.0", post.Headers["User-Agent"]);
        Assert.Equal(eventId, post.EventId);
        Assert.InRange(long.Parse(post.Headers["webhook-timestamp"]), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(),
            DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Matches("^v1,[A-Za-z0-9+/]{43}=$", post.Headers["webhook-signature"]);
        post.VerifyWith(webhook.Secret);
        Assert.False(post.IsSignedWith(WebhookSecret.NewRandom()));
        Assert.Equal("Good morning", post.Json["message"]!.GetValue<string>());
        // The gateway's own signature headers are gone: one scheme, the standard one.
        Assert.All(["X-Gateway-Signature", "X-Gateway-Timestamp", "X-Gateway-Delivery"], name => Assert.False(post.Headers.ContainsKey(name), name));

        var delivery = await app.SettledDeliveryAsync(token, webhook.Id, eventId);
        Assert.Equal(post.Headers["webhook-id"], delivery["id"]!.GetValue<long>().ToString());
        Assert.Equal("delivered", delivery["status"]!.GetValue<string>());
        Assert.Equal(1, delivery["attempts"]!.GetValue<int>());
        Assert.Equal(200, delivery["last_status_code"]!.GetValue<int>());
        Assert.NotNull(delivery["delivered_at"]);
    }

    [Fact]
    public async Task A_tampered_body_a_moved_timestamp_or_a_replay_after_five_minutes_fails_verification()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);
        await app.RecordIncomingAsync(webhook.Id, "!tampered:localhost", "Pay 10 EUR");
        var post = Assert.Single(await receiver.WaitForAsync(1));
        post.VerifyWith(webhook.Secret);
        var timestamp = long.Parse(post.Headers["webhook-timestamp"]);

        var tampered = post with { Body = post.Body.Replace("Pay 10 EUR", "Pay 99 EUR") };
        var moved = post.WithHeader("webhook-timestamp", (timestamp - 1).ToString());
        var replayedLater = post.WithHeader("webhook-timestamp", DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds().ToString());
        var otherId = post.WithHeader("webhook-id", post.Headers["webhook-id"] + "0");

        Assert.Equal("No matching signature found", Assert.Throws<WebhookVerificationException>(() => tampered.VerifyWith(webhook.Secret)).Message);
        Assert.Equal("No matching signature found", Assert.Throws<WebhookVerificationException>(() => moved.VerifyWith(webhook.Secret)).Message);
        Assert.Equal("No matching signature found", Assert.Throws<WebhookVerificationException>(() => otherId.VerifyWith(webhook.Secret)).Message);
        // The timestamp is signed (above), so a captured POST cannot be made to look fresh; and an old one is refused.
        Assert.Equal("Message timestamp too old", Assert.Throws<WebhookVerificationException>(() => replayedLater.VerifyWith(webhook.Secret)).Message);
    }

    [Fact]
    public async Task A_webhook_made_before_standard_webhooks_keeps_its_secret_as_the_raw_key()
    {
        // Secrets generated before were whsec_ + base64url without padding, which is not base64: keyed with their UTF-8 bytes.
        var (tokenId, _) = await app.CreateTokenAsync(app.SuperAdmin);
        await using var receiver = await WebhookReceiver.StartAsync();
        var oldSecret = Secrets.NewRandom("whsec_");
        int webhookId;
        await using (var db = app.OpenDb())
        {
            var webhook = new Webhook
            {
                TokenId = tokenId, Url = receiver.Url.ToString(), SecretCipher = app.SecretBox.Seal(oldSecret),
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            };
            db.Webhooks.Add(webhook);
            await db.SaveChangesAsync();
            webhookId = webhook.Id;
        }

        await app.RecordIncomingAsync(webhookId, "!old-secret:localhost");

        var post = Assert.Single(await receiver.WaitForAsync(1));
        post.VerifyWithKey(Encoding.UTF8.GetBytes(oldSecret));
    }

    [Fact]
    public async Task A_webhook_urls_query_and_its_secret_never_reach_exported_telemetry()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var key = Guid.NewGuid().ToString("N"); // customers put keys in webhook URLs
        var webhook = await app.CreateWebhookAsync(token, new Uri(receiver.Url + "?key=" + key));

        await app.RecordIncomingAsync(webhook.Id, "!telemetry:localhost", "Good morning");
        await receiver.WaitForAsync(1);

        var telemetry = app.Telemetry!;
        await telemetry.WaitForEverythingBeforeAsync(receiver.Url.AbsolutePath); // the POST's span: the last thing this delivery did
        Assert.False(telemetry.Contains(key), "the webhook URL's key was exported");
        Assert.False(telemetry.Contains(webhook.Secret), "the webhook secret was exported");
        // .NET's HttpClient redacts a query as a whole (url.full ends in ?*).
        Assert.True(telemetry.Contains(receiver.Url + "?*"), "the URL's query was not exported at all, so this test checked nothing");
    }

    [Fact]
    public async Task Settled_deliveries_keep_no_payload_and_are_removed_after_a_week()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerNext(HttpStatusCode.BadRequest); // the first fails for good, the second is delivered
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);
        var sent = await app.RecordIncomingAsync(webhook.Id, "!settled:localhost", ["refused", "delivered"]);
        Assert.Equal("failed", (await app.SettledDeliveryAsync(token, webhook.Id, sent[0]))["status"]!.GetValue<string>());
        Assert.Equal("delivered", (await app.SettledDeliveryAsync(token, webhook.Id, sent[1]))["status"]!.GetValue<string>());

        await using (var db = app.OpenDb())
        {
            Assert.All(await db.WebhookDeliveries.Where(d => d.WebhookId == webhook.Id).ToListAsync(), d => Assert.Null(d.PayloadId));
            // Deliveries settled long ago: one past the week they are kept, one within it.
            db.WebhookDeliveries.AddRange(
                SettledLongAgo(webhook.Id, "$eight-days-old", TimeSpan.FromDays(8)),
                SettledLongAgo(webhook.Id, "$six-days-old", TimeSpan.FromDays(6)));
            await db.SaveChangesAsync();
        }

        await Eventually.HoldsAsync(async () => await app.CountDeliveriesAsync(webhook.Id) == 3, TimeSpan.FromSeconds(30),
            () => "the eight-day-old delivery is still there");
        var listed = (await app.DeliveriesAsync(token, webhook.Id)).Body!.AsArray().Select(d => d!["event_id"]!.GetValue<string>());
        Assert.Equal(sent.Append("$six-days-old").Order(), listed.Order());
    }

    private static WebhookDelivery SettledLongAgo(int webhookId, string eventId, TimeSpan age) => new()
    {
        WebhookId = webhookId, EventId = eventId, RoomId = "!settled:localhost", Status = DeliveryStatus.Delivered, Attempts = 1,
        LastStatusCode = 200, CreatedAt = DateTime.UtcNow - age, DeliveredAt = DateTime.UtcNow - age,
    };

    [Fact]
    public async Task A_delivery_leased_by_a_replica_gone_for_good_goes_out_without_waiting_out_its_lease()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);
        var gone = $"killed:{Guid.NewGuid():N}";
        string alive; // the running worker: a made-up live one would count as a replica and take a share of the identities
        await using (var db = app.OpenDb())
        {
            alive = await db.SyncWorkers.OrderByDescending(w => w.SeenAt).Select(w => w.Name).FirstAsync();
        }
        var paused = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/webhooks/{webhook.Id}", Auth.Bearer(token), new { active = false });
        Assert.Equal(HttpStatusCode.OK, paused.Status); // nothing is claimed while the leases are set up
        var orphaned = await LeasedAsync(webhook.Id, "!orphaned:localhost", leasedBy: gone);
        var held = await LeasedAsync(webhook.Id, "!held:localhost", leasedBy: alive);
        await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/webhooks/{webhook.Id}", Auth.Bearer(token), new { active = true });

        // A run's lease is minutes long: the one of a replica killed with -9 is voided once its presence is stale.
        Assert.Equal(orphaned, Assert.Single(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(15))).EventId);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(receiver.Requests, r => r.EventId == held); // a replica seen just now keeps its lease
        await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/webhooks/{webhook.Id}", Auth.Bearer(token)); // and the held one with it

        async Task<string> LeasedAsync(int webhookId, string roomId, string leasedBy)
        {
            var eventId = await app.RecordIncomingAsync(webhookId, roomId);
            await using var db = app.OpenDb();
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO sync_workers (name, seen_at) VALUES ({gone}, now() - interval '5 minutes') ON CONFLICT (name) DO NOTHING;
                UPDATE webhook_deliveries SET next_attempt_at = now() + interval '1 hour', leased_by = {leasedBy} WHERE event_id = {eventId};
                """);
            return eventId;
        }
    }

    [Fact]
    public async Task Server_errors_are_retried_until_delivered_once_with_the_same_event_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerNext(HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable);
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);

        var eventId = await app.RecordIncomingAsync(webhook.Id, "!room:localhost");

        var delivery = await app.SettledDeliveryAsync(token, webhook.Id, eventId);
        Assert.Equal("delivered", delivery["status"]!.GetValue<string>());
        Assert.Equal(3, delivery["attempts"]!.GetValue<int>());
        Assert.Equal(3, receiver.Requests.Count);
        Assert.All(receiver.Requests, post => Assert.Equal(eventId, post.EventId));
        Assert.Equal(delivery["id"]!.GetValue<long>().ToString(), receiver.Requests.Select(post => post.Headers["webhook-id"]).Distinct().Single());
        Assert.All(receiver.Requests, post => post.VerifyWith(webhook.Secret));
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Gone)]
    public async Task Other_client_errors_fail_at_once_without_retry(HttpStatusCode status)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerNext(status);
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);

        var eventId = await app.RecordIncomingAsync(webhook.Id, "!room:localhost");

        var delivery = await app.SettledDeliveryAsync(token, webhook.Id, eventId);
        Assert.Equal("failed", delivery["status"]!.GetValue<string>());
        Assert.Equal(1, delivery["attempts"]!.GetValue<int>());
        Assert.Equal((int)status, delivery["last_status_code"]!.GetValue<int>());
        Assert.Null(delivery["next_attempt_at"]);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task Deliveries_of_a_room_arrive_in_order_even_when_the_first_needs_retries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerNext(HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests, HttpStatusCode.RequestTimeout);
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);

        var sent = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await app.RecordIncomingAsync(webhook.Id, "!ordered:localhost", $"message {i}"));
        }

        await Eventually.HoldsAsync(() => receiver.Requests.Select(p => p.EventId).Distinct().Count() == 5
                && receiver.Requests.Count == 8, TimeSpan.FromSeconds(30),
            () => $"{receiver.Requests.Count} POSTs");
        var firstArrivals = receiver.Requests.Select(p => p.EventId).Distinct().ToList();
        Assert.Equal(sent, firstArrivals);
        Assert.Equal(sent[0], receiver.Requests[3].EventId); // three refusals, then the same message again
    }

    [Fact]
    public async Task A_failure_inside_a_burst_is_retried_before_the_rest_and_each_message_lands_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerNext(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable);
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);

        var sent = await app.RecordIncomingAsync(webhook.Id, "!burst:localhost", [.. Enumerable.Range(0, 6).Select(i => $"message {i}")]);

        await Eventually.HoldsAsync(() => receiver.Requests.Count == 7, TimeSpan.FromSeconds(30), () => $"{receiver.Requests.Count} POSTs");
        Assert.Equal([sent[0], sent[1], sent[2], sent[2], sent[3], sent[4], sent[5]], receiver.Requests.Select(p => p.EventId));
        var third = await app.SettledDeliveryAsync(token, webhook.Id, sent[2]);
        Assert.Equal(2, third["attempts"]!.GetValue<int>());
        foreach (var eventId in sent)
        {
            Assert.Equal("delivered", (await app.SettledDeliveryAsync(token, webhook.Id, eventId))["status"]!.GetValue<string>());
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(7, receiver.Requests.Count); // nothing landed twice
    }

    [Fact]
    public async Task A_new_url_takes_over_a_busy_rooms_backlog_within_one_run()
    {
        await using var before = await WebhookReceiver.StartAsync(delay: TimeSpan.FromMilliseconds(200));
        await using var after = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, before.Url);
        var sent = await app.RecordIncomingAsync(webhook.Id, "!busy:localhost", [.. Enumerable.Range(0, 40).Select(i => $"message {i}")]);
        await before.WaitForAsync(1);

        var update = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/webhooks/{webhook.Id}", Auth.Bearer(token), new { url = after.Url.ToString() });

        Assert.Equal(HttpStatusCode.OK, update.Status);
        await Eventually.HoldsAsync(() => before.Requests.Count + after.Requests.Count == sent.Count, TimeSpan.FromSeconds(30),
            () => $"{before.Requests.Count} + {after.Requests.Count} POSTs");
        Assert.InRange(before.Requests.Count, 1, 17); // the first, and at most the run already claimed
        Assert.Equal(sent, before.Requests.Concat(after.Requests).Select(p => p.EventId));
    }

    [Fact]
    public async Task An_inactive_webhook_receives_nothing_while_an_active_one_does()
    {
        await using var active = await WebhookReceiver.StartAsync();
        await using var inactive = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var on = await app.CreateWebhookAsync(token, active.Url);
        var off = await app.CreateWebhookAsync(token, inactive.Url);
        await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/webhooks/{off.Id}", Auth.Bearer(token), new { active = false });

        var held = await app.RecordIncomingAsync(off.Id, "!room:localhost");
        var eventId = await app.RecordIncomingAsync(on.Id, "!room:localhost");

        await app.SettledDeliveryAsync(token, on.Id, eventId);
        Assert.Empty(inactive.Requests);
        var pending = Assert.Single((await app.DeliveriesAsync(token, off.Id)).Body!.AsArray());
        Assert.Equal((held, "pending"), (pending!["event_id"]!.GetValue<string>(), pending["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_slow_receiver_does_not_hold_up_other_webhooks()
    {
        await using var slow = await WebhookReceiver.StartAsync(delay: TimeSpan.FromSeconds(8));
        await using var fast = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var slowHook = await app.CreateWebhookAsync(token, slow.Url);
        var fastHook = await app.CreateWebhookAsync(token, fast.Url);
        for (var room = 0; room < 40; room++)
        {
            await app.RecordIncomingAsync(slowHook.Id, $"!busy{room}:localhost");
        }
        await slow.WaitForAsync(1);

        var started = DateTimeOffset.UtcNow;
        await app.RecordIncomingAsync(fastHook.Id, "!room:localhost");

        var post = Assert.Single(await fast.WaitForAsync(1));
        Assert.True(post.At - started < TimeSpan.FromSeconds(4), $"took {(post.At - started).TotalSeconds:0.0} s");
        await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/webhooks/{slowHook.Id}", Auth.Bearer(token)); // stops the backlog
    }

    [Fact]
    public async Task A_deactivated_credentials_deliveries_stop_at_once_and_are_listed_as_failed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerAlways(HttpStatusCode.ServiceUnavailable); // every attempt is retried
        var credential = await app.CreateCredentialAsync();
        var (_, token) = await app.CreateTokenAsync(credential.Auth);
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);
        var eventId = await app.RecordIncomingAsync(webhook.Id, "!revoked:localhost");
        await receiver.WaitForAsync(2);

        var deactivated = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{credential.ClientId}", app.SuperAdmin, new { active = false });
        Assert.Equal(HttpStatusCode.OK, deactivated.Status);
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // a POST already in flight may still land
        var attempts = receiver.Requests.Count;

        // Retries come every fraction of a second here: a few seconds without one means none is coming.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(attempts, receiver.Requests.Count);
        Assert.Equal(HttpStatusCode.OK, (await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{credential.ClientId}", app.SuperAdmin,
            new { active = true })).Status);
        var delivery = await app.SettledDeliveryAsync(token, webhook.Id, eventId);
        Assert.Equal(("failed", "token revoked"), (delivery["status"]!.GetValue<string>(), delivery["last_error"]!.GetValue<string>()));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(attempts, receiver.Requests.Count); // given up for good, even with the credential active again
    }

    [Fact]
    public async Task An_expired_tokens_deliveries_stop_when_it_expires()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerAlways(HttpStatusCode.ServiceUnavailable);
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin,
            new { use_host = false, expires_at = DateTime.UtcNow.AddSeconds(6).ToString("yyyy-MM-ddTHH:mm:ssZ") });
        var webhook = await app.CreateWebhookAsync(token, receiver.Url);
        var eventId = await app.RecordIncomingAsync(webhook.Id, "!expiring:localhost");
        await receiver.WaitForAsync(2);

        await Eventually.HoldsAsync(async () => (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer(token))).Status == HttpStatusCode.Forbidden,
            TimeSpan.FromSeconds(15), () => "the token did not expire");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var attempts = receiver.Requests.Count;

        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(attempts, receiver.Requests.Count);
        await using var db = app.OpenDb();
        var delivery = await db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.WebhookId == webhook.Id && d.EventId == eventId);
        Assert.Equal((DeliveryStatus.Failed, "token revoked"), (delivery.Status, delivery.LastError));
    }
}
