using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Gateway.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Tests.Foundation;

/// <summary>A gateway with small quotas, so reaching them takes a few requests instead of a thousand.</summary>
public sealed class LimitsApp : GatewayApp
{
    public const int TokensPerCredential = 3;
    public const int WebhooksPerToken = 2;

    protected override IEnumerable<string> Settings =>
    [
        $"--Gateway:Tokens:MaxPerCredential={TokensPerCredential}",
        $"--Gateway:Webhooks:MaxPerToken={WebhooksPerToken}",
        "--Gateway:AllowPrivateWebhooks=true",
    ];
}

[CollectionDefinition(Name)]
public sealed class LimitsCollection : ICollectionFixture<LimitsApp>
{
    public const string Name = "limits";
}

/// <summary>Quotas per credential and per token, request bodies, and fields refused whole before anything is written.</summary>
[Collection(LimitsCollection.Name)]
public sealed class LimitsTests(LimitsApp app)
{
    [Fact]
    public async Task A_credential_holds_at_most_its_quota_of_tokens_and_a_deleted_one_frees_its_place()
    {
        var credential = await app.CreateCredentialAsync();
        var ids = new List<int>();
        for (var i = 0; i < LimitsApp.TokensPerCredential; i++)
        {
            ids.Add((await app.CreateTokenAsync(credential.Auth)).Id);
        }

        var refused = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", credential.Auth, new { use_host = false });
        var listed = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", credential.Auth);
        await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/tokens/{ids[0]}", credential.Auth);
        var afterDelete = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", credential.Auth, new { use_host = false });
        var otherCredential = await app.CreateCredentialAsync();

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal($"Token limit reached: at most {LimitsApp.TokensPerCredential} per credential", refused.Error);
        Assert.Equal(LimitsApp.TokensPerCredential, listed.Body!.AsArray().Count);
        Assert.Equal(HttpStatusCode.Created, afterDelete.Status);
        await app.CreateTokenAsync(otherCredential.Auth); // the quota is each credential's own
    }

    [Fact]
    public async Task A_token_holds_at_most_its_quota_of_webhooks()
    {
        var credential = await app.CreateCredentialAsync();
        var (_, token) = await app.CreateTokenAsync(credential.Auth);
        var (_, otherToken) = await app.CreateTokenAsync(credential.Auth);
        for (var i = 0; i < LimitsApp.WebhooksPerToken; i++)
        {
            var created = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token), new { url = $"http://127.0.0.1:9/hook{i}" });
            Assert.Equal(HttpStatusCode.Created, created.Status);
        }

        var refused = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token), new { url = "http://127.0.0.1:9/one-more" });
        var listed = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer(token));
        var another = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(otherToken), new { url = "http://127.0.0.1:9/one-more" });

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal($"Webhook limit reached: at most {LimitsApp.WebhooksPerToken} per token", refused.Error);
        Assert.Equal(LimitsApp.WebhooksPerToken, listed.Body!.AsArray().Count);
        Assert.Equal(HttpStatusCode.Created, another.Status);
    }

    [Fact]
    public async Task A_webhook_secret_longer_than_256_characters_is_refused()
    {
        var (_, token) = await app.CreateTokenAsync((await app.CreateCredentialAsync()).Auth);

        var refused = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token),
            new { url = "http://127.0.0.1:9/hook", secret = new string('s', 257) });
        var listed = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer(token));

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("Secret is too long: at most 256 characters", refused.Error);
        Assert.Empty(listed.Body!.AsArray());
    }

    [Fact]
    public async Task A_json_body_over_1_MiB_is_413_and_creates_nothing()
    {
        var (_, token) = await app.CreateTokenAsync((await app.CreateCredentialAsync()).Auth);

        var refused = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(token),
            new { url = "http://127.0.0.1:9/hook", secret = new string('s', 2 * 1024 * 1024) });
        var listed = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer(token));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.Status);
        Assert.Equal("application/problem+json", refused.MediaType);
        Assert.Equal("Request body is too large: the limit is 1 MiB", refused.Error);
        Assert.Empty(listed.Body!.AsArray());
    }

    [Fact]
    public async Task A_send_to_a_device_that_is_not_the_callers_is_404_before_its_body_is_read()
    {
        var (_, token) = await app.CreateTokenAsync((await app.CreateCredentialAsync()).Auth);
        using var body = new StalledForm(announcedBytes: 5 * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/devices/not-mine/message") { Content = body };
        request.Headers.Authorization = Auth.Bearer(token);
        request.Headers.ExpectContinue = true; // as curl asks for a large body: the server may answer before it is sent

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await app.Api.SendAsync(request, timeout.Token);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(timeout.Token));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Device not found", answer!["error"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("[null]", "Unknown scope: null")]
    [InlineData("""[""]""", "Unknown scope: ")]
    [InlineData("""["tokens:read:*","nope"]""", "Unknown scope: nope")]
    public async Task Credentials_with_bad_scopes_are_refused_and_not_created(string scopes, string error)
    {
        var clientId = "bad-" + Guid.NewGuid().ToString("N")[..8];
        var body = $$"""{"client_id":"{{clientId}}","scopes":{{scopes}}}""";

        var refused = await app.Api.CallRawAsync(HttpMethod.Post, "/api/v1/credentials", app.SuperAdmin, body);
        var listed = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/credentials", app.SuperAdmin);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(error, refused.Error);
        Assert.DoesNotContain(clientId, listed.Body!.AsArray().Select(c => c!["client_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Updates_with_a_null_scope_or_an_overlong_description_change_nothing()
    {
        var credential = await app.CreateCredentialAsync(new[] { "tokens:read:*" });

        var nullScope = await app.Api.CallRawAsync(HttpMethod.Put, $"/api/v1/credentials/{credential.ClientId}", app.SuperAdmin,
            """{"description":"changed","scopes":[null]}""");
        var longDescription = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{credential.ClientId}", app.SuperAdmin,
            new { description = new string('d', 501) });
        var listed = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/credentials", app.SuperAdmin);

        Assert.Equal(("Unknown scope: null", "Description is too long: at most 500 characters"), (nullScope.Error, longDescription.Error));
        Assert.All([nullScope, longDescription], r => Assert.Equal(HttpStatusCode.BadRequest, r.Status));
        var stored = listed.Body!.AsArray().Single(c => c!["client_id"]!.GetValue<string>() == credential.ClientId)!;
        Assert.Null(stored["description"]);
        Assert.Equal(["tokens:read:*"], stored["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public async Task A_replaced_super_admin_cannot_be_reactivated()
    {
        // What a start with a new CLIENT_ID leaves of the previous super admin: its row, inactive.
        var replaced = "old-admin-" + Guid.NewGuid().ToString("N")[..8];
        await using (var db = app.OpenDb())
        {
            db.Credentials.Add(new Credential
            {
                ClientId = replaced,
                SecretHash = Secrets.Hash(Secrets.NewRandom()),
                Role = CredentialRoles.SuperAdmin,
                Scopes = ["*"],
                Active = false,
                CreatedAt = DateTime.UtcNow,
                UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        var admin = await app.CreateCredentialAsync(new[] { "credentials:write", "credentials:read" });

        var refused = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{replaced}", admin.Auth, new { active = true });

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("Cannot reactivate a replaced super admin credential", refused.Error);
        await using var check = app.OpenDb();
        Assert.False((await check.Credentials.SingleAsync(c => c.ClientId == replaced)).Active);
    }
}

/// <summary>
/// A multipart body that announces <c>announcedBytes</c>, sends its first part's start, then nothing until disposed:
/// a server that waits for the whole body before answering never answers.
/// </summary>
internal sealed class StalledForm : HttpContent
{
    private const string Boundary = "stalled";
    private readonly long announcedBytes;
    private readonly TaskCompletionSource disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StalledForm(long announcedBytes)
    {
        this.announcedBytes = announcedBytes;
        Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    // The request's cancellation must end the wait too: the client waits for its body to end before giving up.
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n"), cancellationToken);
        await stream.WriteAsync(new byte[64 * 1024], cancellationToken);
        await stream.FlushAsync(cancellationToken);
        await disposed.Task.WaitAsync(cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = announcedBytes;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        disposed.TrySetResult();
        base.Dispose(disposing);
    }
}
