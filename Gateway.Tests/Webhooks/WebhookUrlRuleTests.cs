using System.Net;
using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Gateway.Tests.Foundation;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Webhooks;

/// <summary>
/// The SSRF rule as any deployment but the local sandbox run has it (<c>Gateway:AllowPrivateWebhooks</c> off, SECURITY.md): receivers on loopback, private, link-local,
/// carrier-grade NAT and metadata addresses are refused, when the URL is saved and again when a delivery connects.
/// </summary>
[Collection(FoundationCollection.Name)]
public sealed class WebhookUrlRuleTests(FoundationApp app)
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://172.16.0.1/hook")]
    [InlineData("http://192.168.1.10/hook")]
    [InlineData("http://100.64.0.1/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://2130706433/hook")]
    [InlineData("http://[64:ff9b:1::a00:1]/hook")] // local-use NAT64
    [InlineData("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook")] // Teredo
    [InlineData("http://no-such-host.invalid/hook")] // the same answer as a name that resolves privately: no probing
    public async Task Private_and_metadata_addresses_are_refused(string url)
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);

        var response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token), new { url });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Webhook URL not allowed", response.Error);
    }

    [Fact]
    public async Task Public_addresses_are_accepted_and_a_private_one_is_refused_on_update_too()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);

        var created = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token), new { url = "https://93.184.215.14/hook" });
        var id = created.Body!["id"]!.GetValue<int>();
        var update = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/webhooks/{id}", Auth.Bearer(token), new { url = "http://127.0.0.1/hook" });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.BadRequest, update.Status);
        Assert.Equal("Webhook URL not allowed", update.Error);
    }

    [Fact]
    public async Task A_delivery_never_connects_to_a_private_address_even_if_the_url_got_stored()
    {
        // As if the URL's name had resolved to a public address when it was saved and to loopback now.
        await using var receiver = await WebhookReceiver.StartAsync();
        var (tokenId, _) = await app.CreateTokenAsync(app.SuperAdmin);
        int webhookId;
        await using (var db = app.OpenDb())
        {
            var webhook = new Webhook
            {
                TokenId = tokenId, Url = receiver.Url.ToString(), SecretCipher = app.SecretBox.Seal("secret"),
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            };
            db.Webhooks.Add(webhook);
            await db.SaveChangesAsync();
            webhookId = webhook.Id;
        }

        await app.RecordIncomingAsync(webhookId, "!room:localhost");

        var delivery = await Eventually.ValueAsync(async () =>
            {
                await using var db = app.OpenDb();
                return db.WebhookDeliveries.Single(d => d.WebhookId == webhookId);
            },
            d => d.Status != DeliveryStatus.Pending, TimeSpan.FromSeconds(30));
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.StartsWith("Webhook URL not allowed", delivery.LastError);
        Assert.Equal(1, delivery.Attempts);
        Assert.Empty(receiver.Requests);
    }
}
