using System.Net;
using System.Security.Cryptography;
using Gateway.Shared.Security;
using Gateway.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Tests.Foundation;

/// <summary>
/// What SECURITY.md tells an operator to do: change the super admin's secret and the encryption key by restarting the
/// Api and the SyncWorker with new settings, and lose nothing sealed under the old key.
/// </summary>
public sealed class RotationTests(GatewayApp app) : IClassFixture<GatewayApp>
{
    [Fact]
    public async Task The_super_admins_secret_and_the_encryption_key_change_on_restart_and_every_stored_token_is_sealed_again()
    {
        var (id, _) = await app.CreateTokenAsync(app.SuperAdmin);
        var newSecret = Secrets.NewRandom();
        var newKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        app.ServiceEnvironment["CLIENT_SECRET"] = newSecret;
        app.ServiceEnvironment["Gateway__EncryptionKey"] = newKey;
        app.ServiceEnvironment["Gateway__PreviousEncryptionKeys"] = app.EncryptionKey;
        await RestartAsync();

        var oldSecret = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", app.SuperAdmin);
        var rotated = Auth.Basic(app.ClientId, newSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, oldSecret.Status);
        Assert.Equal(HttpStatusCode.OK, (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", rotated)).Status);
        // Sealed again under the new key at the Api's start: the old one can go.
        await using (var db = app.OpenDb())
        {
            var identities = await db.MatrixIdentities.ToListAsync();
            Assert.NotEmpty(identities);
            Assert.All(identities, identity => new SecretBox(newKey).Open(identity.AccessTokenCipher));
        }

        app.ServiceEnvironment.Remove("Gateway__PreviousEncryptionKeys");
        await RestartAsync();

        // Revoking the token logs its Matrix user out with the access token the new key alone now opens.
        var deleted = await app.Api.CallAsync(HttpMethod.Delete, $"/api/v1/tokens/{id}", rotated);
        Assert.Equal((HttpStatusCode.OK, "Token deleted successfully"), (deleted.Status, deleted.Body?["message"]?.GetValue<string>()));
    }

    private async Task RestartAsync()
    {
        foreach (var service in new[] { "api", "syncworker" })
        {
            await app.StopAsync(service);
            await app.StartAsync(service);
        }
    }
}
