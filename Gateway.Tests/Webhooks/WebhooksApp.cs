using System.Net;
using Gateway.Shared.Data;
using Gateway.Shared.Redis;
using Gateway.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Gateway.Tests.Webhooks;

/// <summary>
/// The real AppHost with the sandbox bridge, webhook receivers allowed on loopback (the test's receiver listens on
/// 127.0.0.1) and retries in fractions of a second instead of minutes. Its first token, made before any test, owns
/// the host identity, so tests that share the host know what else is on it.
/// </summary>
public class WebhooksApp : GatewayApp
{
    public HttpClient Sandbox { get; private set; } = null!;
    public string HostToken { get; private set; } = "";

    protected override bool CollectsTelemetry => true;

    protected override IEnumerable<string> Settings =>
    [
        "--Gateway:Sandbox=true",
        "--Gateway:SandboxPort=0",
        "--Gateway:AllowPrivateWebhooks=true",
        "--Gateway:Webhooks:RetryBaseDelay=00:00:00.2",
        "--Gateway:Webhooks:RetryMaxDelay=00:00:01",
        "--Gateway:Webhooks:PollInterval=00:00:00.2",
        "--Gateway:Webhooks:TidyInterval=00:00:01",
    ];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await App.ResourceNotifications.WaitForResourceHealthyAsync("sandbox", startup.Token);
        Sandbox = new HttpClient { BaseAddress = App.GetEndpoint("sandbox", "http") };
        HostToken = (await this.CreateTokenAsync(SuperAdmin)).Token;
    }
}

[CollectionDefinition(Name)]
public sealed class WebhooksCollection : ICollectionFixture<WebhooksApp>
{
    public const string Name = "webhooks";
}

/// <summary>Webhook steps through the public API, and the outbox rows a test may need to cause deliveries.</summary>
public static class WebhookSteps
{
    public sealed record NewWebhook(int Id, string Url, string Secret);

    public static async Task<NewWebhook> CreateWebhookAsync(this GatewayApp app, string token, Uri url, string? secret = null, string[]? events = null)
    {
        var response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token),
            (secret, events) switch
            {
                (null, null) => new { url = url.ToString() },
                (_, null) => new { url = url.ToString(), secret },
                _ => (object)new { url = url.ToString(), events },
            });
        Assert.Equal(HttpStatusCode.Created, response.Status);
        return new NewWebhook(response.Body!["id"]!.GetValue<int>(), response.Body["url"]!.GetValue<string>(), response.Body["secret"]!.GetValue<string>());
    }

    public static async Task<ApiResponse> DeliveriesAsync(this GatewayApp app, string token, int webhookId) =>
        await app.Api.CallAsync(HttpMethod.Get, $"/api/v1/webhooks/{webhookId}/deliveries", Auth.Bearer(token));

    /// <summary>Waits until the webhook's delivery of <paramref name="eventId"/> is no longer pending, and returns it.</summary>
    public static Task<System.Text.Json.Nodes.JsonNode> SettledDeliveryAsync(this GatewayApp app, string token, int webhookId, string eventId) =>
        Eventually.ValueAsync(
            async () => (await app.DeliveriesAsync(token, webhookId)).Body!.AsArray().FirstOrDefault(d => d!["event_id"]!.GetValue<string>() == eventId),
            delivery => delivery is not null && delivery["status"]!.GetValue<string>() != "pending",
            TimeSpan.FromSeconds(30), delivery => $"delivery of {eventId}: {delivery?.ToJsonString() ?? "none"}")!;

    /// <summary>
    /// Records an incoming message in the outbox as the SyncWorker does after a /sync batch, for tests of the
    /// delivery loop alone (the bridge that causes real messages is covered by the end-to-end tests).
    /// </summary>
    public static async Task<string> RecordIncomingAsync(this GatewayApp app, int webhookId, string roomId, string? text = null) =>
        (await app.RecordIncomingAsync(webhookId, roomId, [text ?? "Good morning"])).Single();

    /// <summary>Messages of one room recorded together, as one sync batch records them.</summary>
    public static async Task<List<string>> RecordIncomingAsync(this GatewayApp app, int webhookId, string roomId, IReadOnlyList<string> texts)
    {
        await using var db = app.OpenDb();
        var identityId = await db.Webhooks.Where(w => w.Id == webhookId).Select(w => w.Token.IdentityId).SingleAsync();
        var eventIds = new List<string>();
        foreach (var text in texts)
        {
            var eventId = "$" + Guid.NewGuid().ToString("N");
            var payload = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
            {
                id = eventId, is_contact = false, type = "m.text", from = "@whatsapp_2376987654321:localhost", to = "@someone:localhost",
                message = text, device_id = "237123456789",
                media = new { content = (string?)null, info = new { size = 0, mime_type = "", width = 0, height = 0, blur_hash = "" } },
            });
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                WebhookId = webhookId, EventId = eventId, RoomId = roomId, Status = DeliveryStatus.Pending,
                Payload = new DeliveryPayload { IdentityId = identityId, EventId = eventId, Body = payload, Size = payload.Length, CreatedAt = DateTime.UtcNow },
                NextAttemptAt = DateTime.UtcNow, CreatedAt = DateTime.UtcNow,
            });
            eventIds.Add(eventId);
        }
        await db.SaveChangesAsync();
        // And announces them as the SyncWorker does: the delivery loop waits for the notice, not for a poll.
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await app.App.GetConnectionStringAsync("redis"))!);
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisNames.WebhookDeliveriesChannel), "");
        return eventIds;
    }

    public static async Task<int> CountDeliveriesAsync(this GatewayApp app, int webhookId)
    {
        await using var db = app.OpenDb();
        return await db.WebhookDeliveries.CountAsync(d => d.WebhookId == webhookId);
    }
}
