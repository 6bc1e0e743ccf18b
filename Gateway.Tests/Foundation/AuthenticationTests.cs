using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Foundation;

[Collection(FoundationCollection.Name)]
public sealed class AuthenticationTests(FoundationApp app)
{
    [Fact]
    public async Task Basic_endpoints_without_a_header_answer_401_missing_header_as_problem_json()
    {
        var response = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens");

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal("missing authorization header", response.Error);
        Assert.Equal("missing authorization header", response.Body!["detail"]!.GetValue<string>());
        Assert.Equal(401, response.Body!["status"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("Basic not-base64!")]
    [InlineData("Basic bm9jb2xvbg==")] // "nocolon"
    [InlineData("Bearer mt_abc")]
    public async Task A_malformed_basic_header_is_401_invalid_authorization_header(string header)
    {
        var response = await app.Api.CallWithHeaderAsync(HttpMethod.Get, "/api/v1/tokens", header);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("invalid authorization header", response.Error);
    }

    [Fact]
    public async Task A_wrong_secret_or_unknown_client_is_401_invalid_credentials()
    {
        var wrongSecret = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", Auth.Basic(app.ClientId, "wrong"));
        var unknownClient = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", Auth.Basic("nobody", app.ClientSecret));

        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.Status);
        Assert.Equal("invalid credentials", wrongSecret.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownClient.Status);
        Assert.Equal("invalid credentials", unknownClient.Error);
    }

    [Fact]
    public async Task A_deactivated_credential_is_401_invalid_credentials()
    {
        var credential = await app.CreateCredentialAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", credential.Auth)).Status);

        await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{credential.ClientId}", app.SuperAdmin, new { active = false });
        var response = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", credential.Auth);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("invalid credentials", response.Error);
    }

    [Fact]
    public async Task A_deactivated_credentials_tokens_are_refused_at_once_even_right_after_use()
    {
        var credential = await app.CreateCredentialAsync();
        var (_, token) = await app.CreateTokenAsync(credential.Auth);
        Assert.Equal(HttpStatusCode.OK, (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token))).Status);

        await app.Api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{credential.ClientId}", app.SuperAdmin, new { active = false });
        var response = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token));

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("invalid or expired token", response.Error);
    }

    [Fact]
    public async Task A_credential_without_the_scope_is_403_insufficient_permissions()
    {
        var userCredential = await app.CreateCredentialAsync();
        var listOnly = await app.CreateCredentialAsync(scopes: new[] { "tokens:read:*" });

        var credentials = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/credentials", userCredential.Auth);
        var create = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", listOnly.Auth, new { use_host = false });
        var list = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", listOnly.Auth);

        Assert.Equal(HttpStatusCode.Forbidden, credentials.Status);
        Assert.Equal("insufficient permissions", credentials.Error);
        Assert.Equal(HttpStatusCode.Forbidden, create.Status);
        Assert.Equal("insufficient permissions", create.Error);
        Assert.Equal(HttpStatusCode.OK, list.Status);
    }

    [Theory]
    [InlineData(null, "missing authorization header", 401)]
    [InlineData("Bearer", "invalid authorization header format", 401)]
    [InlineData("Token mt_abc", "unsupported authorization scheme", 401)]
    [InlineData("Bearer abc", "invalid token format", 401)]
    [InlineData("Bearer mt_unknown", "invalid or expired token", 403)]
    public async Task Bearer_endpoints_refuse_bad_tokens_with_the_documented_texts(string? header, string error, int status)
    {
        var response = header is null
            ? await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices")
            : await app.Api.CallWithHeaderAsync(HttpMethod.Get, "/api/v1/devices", header);

        Assert.Equal(status, (int)response.Status);
        Assert.Equal(error, response.Error);
    }

    [Fact]
    public async Task An_expired_token_is_refused_at_once_with_403()
    {
        var expiresAt = DateTime.UtcNow.AddSeconds(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin, new { use_host = true, expires_at = expiresAt });
        Assert.Equal(HttpStatusCode.OK, (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token))).Status);

        await Task.Delay(TimeSpan.FromSeconds(4));
        var response = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token));

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("invalid or expired token", response.Error);
    }

    [Fact]
    public async Task A_token_of_a_deleted_credential_no_longer_works()
    {
        var credential = await app.CreateCredentialAsync();
        var (_, token) = await app.CreateTokenAsync(credential.Auth);
        Assert.Equal(HttpStatusCode.OK, (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token))).Status);

        await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/credentials/{credential.ClientId}", app.SuperAdmin);
        var response = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer(token));

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("invalid or expired token", response.Error);
    }
}
