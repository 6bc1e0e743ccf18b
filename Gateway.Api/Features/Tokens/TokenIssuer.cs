using Gateway.Api.Errors;
using Gateway.Api.Matrix;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Gateway.Shared.Security;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Features.Tokens;

/// <summary>
/// Issues Matrix tokens. A token either gets a Matrix user of its own, provisioned on the homeserver first so that
/// a homeserver failure leaves nothing behind, or shares the host identity (the first token's Matrix user).
/// </summary>
public sealed class TokenIssuer(
    GatewayDb db, IMatrixUserProvisioner provisioner, SecretBox secretBox, IdentityAnnouncements identities, TimeProvider clock, ILogger<TokenIssuer> logger)
{
    public sealed record Issued(string Token, int Id);

    public async Task<Issued> IssueWithNewIdentityAsync(int credentialId, DateTime? expiresAt, CancellationToken cancellationToken)
    {
        var user = await provisioner.CreateUserAsync(cancellationToken);
        try
        {
            var becomesHost = !await db.MatrixIdentities.AnyAsync(i => i.IsHost, cancellationToken);
            try
            {
                return await SaveAsync(user, becomesHost, credentialId, expiresAt, cancellationToken);
            }
            catch (DbUpdateException e) when (becomesHost && e.IsUniqueViolation())
            {
                // Another first token won the race to be the host: this one is an ordinary token.
                db.ChangeTracker.Clear();
                return await SaveAsync(user, becomesHost: false, credentialId, expiresAt, cancellationToken);
            }
        }
        catch
        {
            await provisioner.LogoutAsync(user.AccessToken, CancellationToken.None);
            throw;
        }
    }

    public async Task<Issued> IssueForHostAsync(MatrixIdentity host, int credentialId, DateTime? expiresAt, CancellationToken cancellationToken)
    {
        var (token, row) = NewToken(host, credentialId, expiresAt, useHost: true, isAdmin: false);
        db.Tokens.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return new Issued(token, row.Id);
    }

    private async Task<Issued> SaveAsync(MatrixLogin user, bool becomesHost, int credentialId, DateTime? expiresAt, CancellationToken cancellationToken)
    {
        var identity = new MatrixIdentity
        {
            UserId = user.UserId,
            DeviceId = user.DeviceId,
            AccessTokenCipher = secretBox.Seal(user.AccessToken),
            IsHost = becomesHost,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        // The first token ever created is the admin token; its Matrix user is the host identity.
        var (token, row) = NewToken(identity, credentialId, expiresAt, useHost: false, isAdmin: becomesHost);
        db.Tokens.Add(row);
        await db.SaveChangesAsync(cancellationToken); // identity and token in one transaction
        logger.LogInformation("Token {TokenId} issued with Matrix user {UserId} (host: {IsHost})", row.Id, user.UserId, becomesHost);
        await identities.AnnounceChangeAsync();
        return new Issued(token, row.Id);
    }

    private (string Token, ApiToken Row) NewToken(MatrixIdentity identity, int credentialId, DateTime? expiresAt, bool useHost, bool isAdmin)
    {
        var token = Secrets.NewRandom("mt_");
        return (token, new ApiToken
        {
            TokenHash = Secrets.Hash(token),
            CredentialId = credentialId,
            Identity = identity,
            IsAdmin = isAdmin,
            UseHost = useHost,
            ExpiresAt = expiresAt,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
    }
}
