using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Tests.Webhooks;

/// <summary>Creating, listing, changing and deleting a token's webhooks, with every documented answer.</summary>
[Collection(WebhooksCollection.Name)]
public sealed class WebhooksApiTests(WebhooksApp app)
{
    [Fact]
    public async Task Creating_a_webhook_returns_it_with_a_generated_secret_shown_only_then()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);

        var created = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token), new { url = "https://example.com/hook" });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var body = created.Body!.AsObject();
        Assert.Equal(["id", "url", "active", "secret", "events", "created_at", "updated_at"], body.Select(p => p.Key));
        Assert.Equal("https://example.com/hook", body["url"]!.GetValue<string>());
        Assert.True(body["active"]!.GetValue<bool>());
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", body["secret"]!.GetValue<string>()); // base64 of 32 bytes
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body["created_at"]!.GetValue<string>());

        var listed = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer(token));
        var only = Assert.Single(listed.Body!.AsArray())!.AsObject();
        Assert.Equal(["id", "url", "active", "events", "created_at", "updated_at"], only.Select(p => p.Key));
        Assert.Equal(body["id"]!.GetValue<int>(), only["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_secret_given_by_the_caller_is_kept_and_every_webhook_gets_its_own_otherwise()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var given = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

        var mine = await app.CreateWebhookAsync(token, new Uri("https://example.com/a"), secret: given);
        var first = await app.CreateWebhookAsync(token, new Uri("https://example.com/b"));
        var second = await app.CreateWebhookAsync(token, new Uri("https://example.com/c"));

        Assert.Equal(given, mine.Secret);
        Assert.NotEqual(first.Secret, second.Secret);
        await using var db = app.OpenDb();
        var stored = await db.Webhooks.SingleAsync(w => w.Id == mine.Id);
        Assert.DoesNotContain(given, System.Text.Encoding.UTF8.GetString(stored.SecretCipher)); // encrypted at rest
        Assert.Equal(given, app.SecretBox.Open(stored.SecretCipher));
    }

    public static TheoryData<string> MalformedSecrets => new()
    {
        "my-own-signing-secret", // not the whsec_ form
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), // base64 without the prefix
        "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(23)), // a key too short
        "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(65)), // a key too long
        "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('='), // base64 that lost its padding
        "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(33)).Replace('+', '-').Replace('/', '_') + "-_", // base64url
        "whsec_" + new string('A', 20) + " " + new string('A', 20) + "==", // a space inside
    };

    [Theory]
    [MemberData(nameof(MalformedSecrets))]
    public async Task A_secret_not_in_the_standard_webhooks_form_is_refused_and_creates_nothing(string secret)
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);

        var refused = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token), new { url = "https://example.com/hook", secret });
        var listed = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer(token));

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("secret must be whsec_ followed by base64 of 24 to 64 bytes", refused.Error);
        Assert.Empty(listed.Body!.AsArray());
    }

    [Theory]
    [InlineData("{}", "Missing required field: url")]
    [InlineData("""{"url":""}""", "Missing required field: url")]
    [InlineData("""{"url":"not a url"}""", "Invalid URL format")]
    [InlineData("""{"url":"/relative/hook"}""", "Invalid URL format")]
    [InlineData("""{"url":"ftp://example.com/hook"}""", "Invalid URL format")]
    [InlineData("""{"url":"javascript:alert(1)"}""", "Invalid URL format")]
    [InlineData("""{"url":42}""", "Invalid request body. Must be a JSON object.")]
    [InlineData("[1,2]", "Invalid request body. Must be a JSON object.")]
    [InlineData("{not json", "Invalid request body. Must be a JSON object.")]
    public async Task Creating_a_webhook_validates_the_url(string body, string error)
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);

        var response = await app.Api.CallRawAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal(error, response.Error);
        Assert.Empty((await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer(token))).Body!.AsArray());
    }

    [Fact]
    public async Task The_same_url_twice_for_one_token_is_409_but_another_token_may_use_it()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var (_, other) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, new Uri("https://example.com/shared"));

        var again = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token), new { url = "https://example.com/shared" });
        var elsewhere = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(other), new { url = "https://example.com/shared" });

        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("Webhook URL already exists for this token", again.Error);
        Assert.Equal(HttpStatusCode.Created, elsewhere.Status);
    }

    [Fact]
    public async Task Updating_changes_only_the_fields_given()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, new Uri("https://example.com/before"));

        var deactivated = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/webhooks/{webhook.Id}", Auth.Bearer(token), new { active = false });
        var moved = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/webhooks/{webhook.Id}", Auth.Bearer(token), new { url = "https://example.com/after" });
        var unchanged = await app.Api.CallRawAsync(HttpMethod.Put, $"/api/v1/webhooks/{webhook.Id}", Auth.Bearer(token), "{}");

        Assert.Equal(HttpStatusCode.OK, deactivated.Status);
        Assert.Equal("https://example.com/before", deactivated.Body!["url"]!.GetValue<string>());
        Assert.False(deactivated.Body["active"]!.GetValue<bool>());
        Assert.Equal("https://example.com/after", moved.Body!["url"]!.GetValue<string>());
        Assert.False(moved.Body["active"]!.GetValue<bool>());
        Assert.Null(moved.Body["secret"]);
        Assert.Equal(moved.Body.ToJsonString(), unchanged.Body!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"url":""}""", 400, "URL cannot be empty")]
    [InlineData("""{"url":"   "}""", 400, "URL cannot be empty")]
    [InlineData("""{"url":"nope"}""", 400, "Invalid URL format")]
    [InlineData("""{"url":"https://example.com/taken"}""", 409, "Webhook URL already exists for this token")]
    [InlineData("""{"active":"yes"}""", 400, "Invalid request body. Must be a JSON object.")]
    public async Task Updating_validates_and_a_refused_update_changes_nothing(string body, int status, string error)
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, new Uri("https://example.com/taken"));
        var webhook = await app.CreateWebhookAsync(token, new Uri("https://example.com/mine"));

        var response = await app.Api.CallRawAsync(HttpMethod.Put, $"/api/v1/webhooks/{webhook.Id}", Auth.Bearer(token), body);

        Assert.Equal(status, (int)response.Status);
        Assert.Equal(error, response.Error);
        var listed = (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer(token))).Body!.AsArray();
        Assert.Equal("https://example.com/mine", listed.Single(w => w!["id"]!.GetValue<int>() == webhook.Id)!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_a_webhook_removes_it()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, new Uri("https://example.com/gone"));

        var deleted = await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/webhooks/{webhook.Id}", Auth.Bearer(token));
        var again = await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/webhooks/{webhook.Id}", Auth.Bearer(token));

        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Equal("Webhook deleted successfully", deleted.Body!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, again.Status);
        Assert.Equal("Webhook not found", again.Error);
        Assert.Empty((await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer(token))).Body!.AsArray());
    }

    [Fact]
    public async Task A_token_never_sees_or_touches_another_tokens_webhooks_even_on_the_same_matrix_user()
    {
        var (_, owner) = await app.CreateTokenAsync(app.SuperAdmin);
        var (_, sameUser) = await app.CreateTokenAsync(app.SuperAdmin, new { use_host = true });
        var (_, stranger) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(owner, new Uri("https://example.com/private"));

        foreach (var token in new[] { sameUser, stranger })
        {
            Assert.DoesNotContain((await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer(token))).Body!.AsArray(),
                w => w!["id"]!.GetValue<int>() == webhook.Id);
            foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
                     {
                         (HttpMethod.Put, $"/api/v1/webhooks/{webhook.Id}", new { active = false }),
                         (HttpMethod.Delete, $"/api/v1/webhooks/{webhook.Id}", null),
                         (HttpMethod.Get, $"/api/v1/webhooks/{webhook.Id}/deliveries", null),
                     })
            {
                var response = await app.Api.CallAsync(method, path, Auth.Bearer(token), body);
                Assert.Equal(HttpStatusCode.NotFound, response.Status);
                Assert.Equal("Webhook not found", response.Error);
            }
        }
        var mine = Assert.Single((await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer(owner))).Body!.AsArray());
        Assert.True(mine!["active"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("999999")]
    [InlineData("abc")]
    [InlineData("-1")]
    public async Task Unknown_webhook_ids_are_404(string id)
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);

        var update = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/webhooks/{id}", Auth.Bearer(token), new { active = true });
        var delete = await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/webhooks/{id}", Auth.Bearer(token));
        var deliveries = await app.Api.CallAsync(HttpMethod.Get, $"/api/v1/webhooks/{id}/deliveries", Auth.Bearer(token));

        Assert.All([update, delete, deliveries], response =>
        {
            Assert.Equal(HttpStatusCode.NotFound, response.Status);
            Assert.Equal("Webhook not found", response.Error);
        });
    }

    [Fact]
    public async Task Webhooks_need_a_valid_matrix_token()
    {
        var missing = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks");
        var basic = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", app.SuperAdmin);
        var unknown = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer("mt_unknown"), new { url = "https://example.com/x" });

        Assert.Equal((HttpStatusCode.Unauthorized, "missing authorization header"), (missing.Status, missing.Error));
        Assert.Equal((HttpStatusCode.Unauthorized, "unsupported authorization scheme"), (basic.Status, basic.Error));
        Assert.Equal((HttpStatusCode.Forbidden, "invalid or expired token"), (unknown.Status, unknown.Error));
    }

    [Fact]
    public async Task A_new_webhook_has_no_deliveries()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, new Uri("https://example.com/quiet"));

        var deliveries = await app.DeliveriesAsync(token, webhook.Id);

        Assert.Equal(HttpStatusCode.OK, deliveries.Status);
        Assert.Empty(deliveries.Body!.AsArray());
    }

    [Fact]
    public async Task Deleting_the_token_deletes_its_webhooks_and_their_deliveries()
    {
        var (tokenId, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var webhook = await app.CreateWebhookAsync(token, new Uri("https://example.com/with-token"));
        await using (var db = app.OpenDb())
        {
            var inactive = await db.Webhooks.SingleAsync(w => w.Id == webhook.Id);
            inactive.Active = false; // keeps the recorded delivery pending
            await db.SaveChangesAsync();
        }
        await app.RecordIncomingAsync(webhook.Id, "!room:localhost");

        var deleted = await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/tokens/{tokenId}", app.SuperAdmin);

        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        await using var after = app.OpenDb();
        Assert.False(await after.Webhooks.AnyAsync(w => w.Id == webhook.Id));
        Assert.Equal(0, await app.CountDeliveriesAsync(webhook.Id));
    }
}
