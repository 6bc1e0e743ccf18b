using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Tests.Foundation;

[Collection(FoundationCollection.Name)]
public sealed class CredentialsTests(FoundationApp app)
{
    [Fact]
    public async Task Creating_a_credential_returns_it_once_with_its_secret_and_the_default_user_scopes()
    {
        var response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/credentials", app.SuperAdmin,
            new { client_id = "my-app", description = "Production API client" });

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal("Credential created successfully", response.Body!["message"]!.GetValue<string>());
        var credential = response.Body["credential"]!;
        Assert.Equal("my-app", credential["client_id"]!.GetValue<string>());
        Assert.Equal("user", credential["role"]!.GetValue<string>());
        Assert.Equal(["tokens:read:*", "tokens:write:create", "tokens:write:delete"],
            credential["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("Production API client", credential["description"]!.GetValue<string>());
        Assert.True(credential["active"]!.GetValue<bool>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", credential["created_at"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", credential["updated_at"]!.GetValue<string>());
        var secret = response.Body["client_secret"]!.GetValue<string>();
        Assert.True(secret.Length >= 43);

        var withNewSecret = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", Auth.Basic("my-app", secret));
        Assert.Equal(HttpStatusCode.OK, withNewSecret.Status);

        await using var db = app.OpenDb();
        var stored = await db.Credentials.SingleAsync(c => c.ClientId == "my-app");
        Assert.NotEqual(System.Text.Encoding.UTF8.GetBytes(secret), stored.SecretHash);
    }

    [Theory]
    [InlineData("{}", 400, "missing required field: client_id")]
    [InlineData("""{"client_id":""}""", 400, "missing required field: client_id")]
    [InlineData("""{"client_id":"a b"}""", 400, "Invalid client_id: use 3 to 64 letters, digits, '.', '_' or '-'")]
    [InlineData("""{"client_id":"ab"}""", 400, "Invalid client_id: use 3 to 64 letters, digits, '.', '_' or '-'")]
    [InlineData("""{"client_id":"scoped-app","scopes":["tokens:fly"]}""", 400, "Unknown scope: tokens:fly")]
    [InlineData("{not json", 400, "Invalid request body. Must be a JSON object.")]
    [InlineData("[1,2]", 400, "Invalid request body. Must be a JSON object.")]
    [InlineData("""{"client_id":42}""", 400, "Invalid request body. Must be a JSON object.")]
    public async Task Invalid_credential_requests_are_refused_and_write_nothing(string body, int status, string error)
    {
        await using var db = app.OpenDb();
        var before = await db.Credentials.CountAsync();

        var response = await app.Api.CallRawAsync(HttpMethod.Post, "/api/v1/credentials", app.SuperAdmin, body);

        Assert.Equal(status, (int)response.Status);
        Assert.Equal(error, response.Error);
        Assert.Equal(before, await db.Credentials.CountAsync());
    }

    [Fact]
    public async Task A_duplicate_client_id_is_409()
    {
        var credential = await app.CreateCredentialAsync();

        var response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/credentials", app.SuperAdmin, new { client_id = credential.ClientId });

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal($"Credential with client_id '{credential.ClientId}' already exists", response.Error);
    }

    [Fact]
    public async Task Listing_credentials_never_shows_a_secret_or_hash()
    {
        var credential = await app.CreateCredentialAsync();

        var response = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/credentials", app.SuperAdmin);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var items = response.Body!.AsArray();
        Assert.Contains(items, c => c!["client_id"]!.GetValue<string>() == credential.ClientId);
        Assert.Contains(items, c => c!["client_id"]!.GetValue<string>() == app.ClientId && c["role"]!.GetValue<string>() == "super_admin");
        foreach (var item in items)
        {
            Assert.Equal(["client_id", "role", "scopes", "description", "active", "created_at", "updated_at"],
                item!.AsObject().Select(p => p.Key));
        }
        Assert.DoesNotContain(credential.Secret, response.Body.ToJsonString());
    }

    [Fact]
    public async Task Updating_changes_only_the_given_fields()
    {
        var credential = await app.CreateCredentialAsync();
        await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{credential.ClientId}", app.SuperAdmin, new { description = "first" });

        var response = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{credential.ClientId}", app.SuperAdmin,
            new { scopes = new[] { "tokens:*" } });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("Credential updated successfully", response.Body!["message"]!.GetValue<string>());
        Assert.Equal("first", response.Body["credential"]!["description"]!.GetValue<string>());
        Assert.Equal(["tokens:*"], response.Body["credential"]!["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Null(response.Body["client_secret"]);
    }

    [Fact]
    public async Task Regenerating_a_secret_returns_a_new_one_and_retires_the_old()
    {
        var credential = await app.CreateCredentialAsync();

        var response = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{credential.ClientId}", app.SuperAdmin,
            new { regenerate_secret = true });
        var newSecret = response.Body!["client_secret"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", credential.Auth)).Status);
        Assert.Equal(HttpStatusCode.OK,
            (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", Auth.Basic(credential.ClientId, newSecret))).Status);
    }

    [Theory]
    [InlineData("""{"active":false}""", "Cannot deactivate super admin credentials")]
    [InlineData("""{"regenerate_secret":true}""", "Cannot regenerate secret for super admin credentials")]
    public async Task The_super_admin_cannot_be_deactivated_or_given_a_new_secret(string body, string error)
    {
        var response = await app.Api.CallRawAsync(HttpMethod.Put, $"/api/v1/credentials/{app.ClientId}", app.SuperAdmin, body);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal(error, response.Error);
        Assert.Equal(HttpStatusCode.OK, (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", app.SuperAdmin)).Status);
    }

    [Fact]
    public async Task Unknown_credentials_are_404_and_unknown_scopes_400_on_update()
    {
        var credential = await app.CreateCredentialAsync();

        var missing = await app.Api.CallAsync(HttpMethod.Put, "/api/v1/credentials/nobody-here", app.SuperAdmin, new { description = "x" });
        var badScope = await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{credential.ClientId}", app.SuperAdmin,
            new { scopes = new[] { "everything" } });
        var deleteMissing = await app.Api.CallAsync(HttpMethod.Delete, "/api/v1/credentials/nobody-here", app.SuperAdmin);

        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("Credential not found", missing.Error);
        Assert.Equal(HttpStatusCode.BadRequest, badScope.Status);
        Assert.Equal("Unknown scope: everything", badScope.Error);
        Assert.Equal(HttpStatusCode.NotFound, deleteMissing.Status);
    }

    [Fact]
    public async Task The_super_admin_cannot_be_deleted()
    {
        var response = await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/credentials/{app.ClientId}", app.SuperAdmin);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("Cannot delete super admin credentials", response.Error);
    }

    [Fact]
    public async Task Deleting_a_credential_revokes_its_tokens_and_logs_their_matrix_users_out()
    {
        var credential = await app.CreateCredentialAsync();
        var (tokenId, _) = await app.CreateTokenAsync(credential.Auth);
        var accessToken = await app.MatrixAccessTokenOfAsync(tokenId);
        Assert.Equal(HttpStatusCode.OK, (await app.WhoAmIAsync(accessToken)).StatusCode);

        var response = await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/credentials/{credential.ClientId}", app.SuperAdmin);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("Credential deleted successfully", response.Body!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", credential.Auth)).Status);
        await using var db = app.OpenDb();
        Assert.False(await db.Tokens.AnyAsync(t => t.Id == tokenId));
        await app.SessionEndedAsync(accessToken);
    }
}
