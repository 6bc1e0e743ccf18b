using System.Net;
using System.Net.Http.Headers;

namespace Gateway.Tests.Infrastructure;

/// <summary>Arrange steps through the public API.</summary>
public static class GatewayAppExtensions
{
    public sealed record NewCredential(string ClientId, string Secret)
    {
        public AuthenticationHeaderValue Auth => Infrastructure.Auth.Basic(ClientId, Secret);
    }

    public static async Task<NewCredential> CreateCredentialAsync(this GatewayApp app, object? scopes = null)
    {
        var clientId = "client-" + Guid.NewGuid().ToString("N")[..10];
        var response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/credentials", app.SuperAdmin,
            scopes is null ? new { client_id = clientId } : new { client_id = clientId, scopes });
        Assert.Equal(HttpStatusCode.Created, response.Status);
        return new NewCredential(clientId, response.Body!["client_secret"]!.GetValue<string>());
    }

    /// <summary>Creates a token and returns its id and value.</summary>
    public static async Task<(int Id, string Token)> CreateTokenAsync(this GatewayApp app, AuthenticationHeaderValue auth, object? body = null)
    {
        var response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", auth, body ?? new { use_host = false });
        Assert.Equal(HttpStatusCode.Created, response.Status);
        return (response.Body!["id"]!.GetValue<int>(), response.Body!["token"]!.GetValue<string>());
    }
}
