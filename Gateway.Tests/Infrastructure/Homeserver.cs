using System.Net.Http.Headers;
using Gateway.Shared.Security;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Tests.Infrastructure;

/// <summary>Checks against the homeserver itself, with the access token the gateway keeps (encrypted) for a token.</summary>
public static class Homeserver
{
    public static async Task<string> MatrixAccessTokenOfAsync(this GatewayApp app, int tokenId)
    {
        await using var db = app.OpenDb();
        var identity = await db.Tokens.Where(t => t.Id == tokenId).Select(t => t.Identity).SingleAsync();
        return app.SecretBox.Open(identity.AccessTokenCipher);
    }

    public static async Task<string> MatrixUserIdOfAsync(this GatewayApp app, string token)
    {
        await using var db = app.OpenDb();
        var hash = Secrets.Hash(token);
        return await db.Tokens.Where(t => t.TokenHash == hash).Select(t => t.Identity.UserId).SingleAsync();
    }

    public static async Task<int> IdentityIdOfAsync(this GatewayApp app, string token)
    {
        await using var db = app.OpenDb();
        var hash = Secrets.Hash(token);
        return await db.Tokens.Where(t => t.TokenHash == hash).Select(t => t.IdentityId).SingleAsync();
    }

    public static async Task<HttpResponseMessage> WhoAmIAsync(this GatewayApp app, string accessToken)
    {
        using var http = new HttpClient { BaseAddress = app.HomeserverUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_matrix/client/v3/account/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>
    /// Waits until the homeserver refuses <paramref name="accessToken"/>: a revoked identity's session ends once the Api
    /// has retired it, in the background, after its devices were logged out of their bridges.
    /// </summary>
    public static Task SessionEndedAsync(this GatewayApp app, string accessToken) =>
        Eventually.HoldsAsync(async () => (await app.WhoAmIAsync(accessToken)).StatusCode == System.Net.HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(30), () => "the Matrix session still works");
}
