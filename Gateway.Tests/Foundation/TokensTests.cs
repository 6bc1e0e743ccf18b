using System.Net;
using System.Text.Json;
using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Gateway.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Tests.Foundation;

[Collection(FoundationCollection.Name)]
public sealed class TokensTests(FoundationApp app)
{
    private int FirstTokenId => app.FirstToken.Body!["id"]!.GetValue<int>();

    [Fact]
    public void Use_host_before_any_host_exists_is_400()
    {
        Assert.Equal(HttpStatusCode.BadRequest, app.UseHostBeforeAnyHost.Status);
        Assert.Equal("No admin identity found. Create first token with use_host=false", app.UseHostBeforeAnyHost.Error);
    }

    [Fact]
    public async Task The_first_token_is_the_admin_and_its_matrix_user_the_host()
    {
        Assert.Equal(HttpStatusCode.Created, app.FirstToken.Status);
        Assert.Equal("Matrix token created successfully", app.FirstToken.Body!["message"]!.GetValue<string>());
        Assert.StartsWith("mt_", app.FirstToken.Body["token"]!.GetValue<string>());

        var tokens = await ListAsync(app.SuperAdmin);
        var first = tokens.Single(t => t.GetProperty("id").GetInt32() == FirstTokenId);
        Assert.True(first.GetProperty("is_admin").GetBoolean());
        Assert.False(first.GetProperty("use_host").GetBoolean());

        var (secondId, _) = await app.CreateTokenAsync(app.SuperAdmin);
        var second = (await ListAsync(app.SuperAdmin)).Single(t => t.GetProperty("id").GetInt32() == secondId);
        Assert.False(second.GetProperty("is_admin").GetBoolean());
        Assert.NotEqual(first.GetProperty("matrix_user_id").GetString(), second.GetProperty("matrix_user_id").GetString());
    }

    [Fact]
    public async Task A_use_host_token_shares_the_host_matrix_user()
    {
        var (id, _) = await app.CreateTokenAsync(app.SuperAdmin, new { use_host = true });

        var tokens = await ListAsync(app.SuperAdmin);
        var host = tokens.Single(t => t.GetProperty("id").GetInt32() == FirstTokenId);
        var shared = tokens.Single(t => t.GetProperty("id").GetInt32() == id);
        Assert.True(shared.GetProperty("use_host").GetBoolean());
        Assert.Equal(host.GetProperty("matrix_user_id").GetString(), shared.GetProperty("matrix_user_id").GetString());
    }

    [Fact]
    public async Task Only_the_super_admin_may_use_the_host()
    {
        var credential = await app.CreateCredentialAsync();

        var response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", credential.Auth, new { use_host = true });

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("Only super_admin can use use_host=true", response.Error);
        Assert.Empty(await ListAsync(credential.Auth));
    }

    [Fact]
    public async Task A_token_expired_over_a_week_ago_is_deleted_with_its_webhooks_and_matrix_session()
    {
        var credential = await app.CreateCredentialAsync();
        var (oldId, oldToken) = await app.CreateTokenAsync(credential.Auth, new { use_host = false });
        var (recentId, _) = await app.CreateTokenAsync(credential.Auth, new { use_host = false });
        var webhook = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", Auth.Bearer(oldToken), new { url = "https://93.184.215.14/hook" });
        Assert.Equal(HttpStatusCode.Created, webhook.Status);
        var matrixAccessToken = await app.MatrixAccessTokenOfAsync(oldId);
        int oldIdentity;
        await using (var db = app.OpenDb())
        {
            oldIdentity = (await db.Tokens.SingleAsync(t => t.Id == oldId)).IdentityId;
            await db.Tokens.Where(t => t.Id == oldId).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.AddDays(-8)));
            await db.Tokens.Where(t => t.Id == recentId).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.AddDays(-6)));
        }

        await Eventually.HoldsAsync(async () =>
            {
                await using var db = app.OpenDb();
                return !await db.MatrixIdentities.AnyAsync(i => i.Id == oldIdentity); // the last step of deleting a token
            },
            TimeSpan.FromSeconds(30), () => "the token expired eight days ago still has its Matrix identity");

        Assert.Equal(recentId, (await ListAsync(credential.Auth)).Single().GetProperty("id").GetInt32()); // expired six days ago: kept
        await using (var db = app.OpenDb())
        {
            Assert.False(await db.Tokens.AnyAsync(t => t.Id == oldId));
            Assert.False(await db.Webhooks.AnyAsync(w => w.TokenId == oldId));
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.WhoAmIAsync(matrixAccessToken)).StatusCode);
    }

    [Fact]
    public async Task A_legacy_token_without_a_credential_is_listed_to_the_super_admin_only()
    {
        var credential = await app.CreateCredentialAsync();
        await app.CreateTokenAsync(credential.Auth);
        int legacyId;
        await using (var db = app.OpenDb())
        {
            // From before credentials existed: no credential, on the host identity.
            var legacy = new Gateway.Shared.Data.ApiToken
            {
                TokenHash = Secrets.Hash(Secrets.NewRandom("mt_")),
                IdentityId = (await db.MatrixIdentities.SingleAsync(i => i.IsHost)).Id,
                CreatedAt = DateTime.UtcNow,
            };
            db.Tokens.Add(legacy);
            await db.SaveChangesAsync();
            legacyId = legacy.Id;
        }

        Assert.Contains(legacyId, (await ListAsync(app.SuperAdmin)).Select(t => t.GetProperty("id").GetInt32()));
        Assert.DoesNotContain(legacyId, (await ListAsync(credential.Auth)).Select(t => t.GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task The_matrix_user_behind_a_new_token_exists_on_the_homeserver()
    {
        var credential = await app.CreateCredentialAsync();
        var (id, _) = await app.CreateTokenAsync(credential.Auth);
        var matrixUserId = (await ListAsync(credential.Auth)).Single().GetProperty("matrix_user_id").GetString();

        var whoami = await app.WhoAmIAsync(await app.MatrixAccessTokenOfAsync(id));

        Assert.Equal(HttpStatusCode.OK, whoami.StatusCode);
        var body = JsonDocument.Parse(await whoami.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(matrixUserId, body.GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task Tokens_and_matrix_access_tokens_are_not_stored_in_clear()
    {
        var credential = await app.CreateCredentialAsync();
        var (id, token) = await app.CreateTokenAsync(credential.Auth);
        var accessToken = await app.MatrixAccessTokenOfAsync(id);

        await using var db = app.OpenDb();
        var row = await db.Tokens.Include(t => t.Identity).SingleAsync(t => t.Id == id);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)), row.TokenHash);
        var cipher = Convert.ToHexString(row.Identity.AccessTokenCipher);
        Assert.DoesNotContain(Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(accessToken)), cipher);
    }

    [Fact]
    public async Task Expiry_is_validated_and_returned()
    {
        var credential = await app.CreateCredentialAsync();

        var badFormat = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", credential.Auth, new { expires_at = "31/12/2099" });
        var noOffset = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", credential.Auth, new { expires_at = "2099-12-31T23:59:59" });
        var past = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", credential.Auth, new { expires_at = "2020-01-01T00:00:00Z" });
        var pastLowerCase = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", credential.Auth, new { expires_at = "2020-01-01t00:00:00.5z" });
        var future = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", credential.Auth, new { use_host = false, expires_at = "2099-12-31T23:59:59Z" });

        Assert.Equal(HttpStatusCode.BadRequest, badFormat.Status);
        Assert.Equal("Invalid expires_at format. Must be RFC3339 (e.g., 2026-12-31T23:59:59Z)", badFormat.Error);
        Assert.Equal("Invalid expires_at format. Must be RFC3339 (e.g., 2026-12-31T23:59:59Z)", noOffset.Error);
        Assert.Equal(HttpStatusCode.BadRequest, past.Status);
        Assert.Equal("expires_at must be in the future", past.Error);
        Assert.Equal("expires_at must be in the future", pastLowerCase.Error); // RFC 3339 allows a lower-case t and z
        Assert.Equal(HttpStatusCode.Created, future.Status);
        var listed = Assert.Single(await ListAsync(credential.Auth));
        Assert.Equal("2099-12-31T23:59:59Z", listed.GetProperty("expires_at").GetString());
    }

    [Fact]
    public async Task A_body_is_optional_but_a_malformed_one_is_400_and_creates_nothing()
    {
        var credential = await app.CreateCredentialAsync();

        var malformed = await app.Api.CallRawAsync(HttpMethod.Post, "/api/v1/tokens", credential.Auth, "{\"use_host\":");
        var wrongType = await app.Api.CallRawAsync(HttpMethod.Post, "/api/v1/tokens", credential.Auth, "{\"use_host\":\"yes\"}");
        var notAnObject = await app.Api.CallRawAsync(HttpMethod.Post, "/api/v1/tokens", credential.Auth, "\"hello\"");
        Assert.Empty(await ListAsync(credential.Auth));
        var noBody = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", credential.Auth);

        foreach (var response in new[] { malformed, wrongType, notAnObject })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.Status);
            Assert.Equal("Invalid request body. Must be a JSON object.", response.Error);
        }
        Assert.Equal(HttpStatusCode.Created, noBody.Status);
        Assert.Single(await ListAsync(credential.Auth));
    }

    [Fact]
    public async Task A_credential_sees_and_deletes_only_its_own_tokens()
    {
        var alice = await app.CreateCredentialAsync();
        var bob = await app.CreateCredentialAsync();
        var (aliceToken, _) = await app.CreateTokenAsync(alice.Auth);
        var (bobToken, _) = await app.CreateTokenAsync(bob.Auth);

        var aliceList = await ListAsync(alice.Auth);
        var deleteBobs = await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/tokens/{bobToken}", alice.Auth);

        Assert.Equal([aliceToken], aliceList.Select(t => t.GetProperty("id").GetInt32()));
        Assert.Equal(HttpStatusCode.NotFound, deleteBobs.Status);
        Assert.Equal("Token not found", deleteBobs.Error);
        Assert.Equal([bobToken], (await ListAsync(bob.Auth)).Select(t => t.GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task Deleting_a_token_by_a_bad_id_is_400_and_deletes_nothing()
    {
        var credential = await app.CreateCredentialAsync();
        await app.CreateTokenAsync(credential.Auth);

        var response = await app.Api.CallAsync(HttpMethod.Delete, "/api/v1/tokens/abc", credential.Auth);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Invalid token ID", response.Error);
        Assert.Single(await ListAsync(credential.Auth));
    }

    [Fact]
    public async Task Deleting_a_token_removes_it_and_ends_its_matrix_session()
    {
        var credential = await app.CreateCredentialAsync();
        var (id, token) = await app.CreateTokenAsync(credential.Auth);
        var accessToken = await app.MatrixAccessTokenOfAsync(id);
        Assert.Equal(HttpStatusCode.OK, (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token))).Status);

        var response = await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/tokens/{id}", credential.Auth);
        var again = await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/tokens/{id}", credential.Auth);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("Token deleted successfully", response.Body!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, again.Status);
        Assert.Empty(await ListAsync(credential.Auth));
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token))).Status);
        await app.SessionEndedAsync(accessToken);
    }

    [Fact]
    public async Task A_token_list_has_exactly_the_documented_fields_and_never_a_hash()
    {
        var response = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", app.SuperAdmin);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        foreach (var token in response.Body!.AsArray())
        {
            Assert.Equal(["id", "is_admin", "use_host", "matrix_user_id", "expires_at", "last_used_at", "created_at"],
                token!.AsObject().Select(p => p.Key));
        }
    }

    [Fact]
    public async Task Last_used_at_is_recorded_when_a_token_is_used()
    {
        var credential = await app.CreateCredentialAsync();
        var (_, token) = await app.CreateTokenAsync(credential.Auth);
        Assert.Equal(JsonValueKind.Null, (await ListAsync(credential.Auth)).Single().GetProperty("last_used_at").ValueKind);

        await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token));

        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (await ListAsync(credential.Auth)).Single().GetProperty("last_used_at").GetString());
    }

    private async Task<List<JsonElement>> ListAsync(System.Net.Http.Headers.AuthenticationHeaderValue auth)
    {
        var response = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", auth);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return JsonDocument.Parse(response.Body!.ToJsonString()).RootElement.EnumerateArray().ToList();
    }
}
