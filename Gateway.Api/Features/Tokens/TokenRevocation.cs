using Gateway.Api.Auth;
using Gateway.Api.Matrix;
using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Features.Tokens;

/// <summary>
/// Deletes tokens, and with them the Matrix sessions no remaining token uses. The host identity stays: it is the
/// one <c>use_host</c> tokens share and owns the host's linked devices.
/// </summary>
public sealed class TokenRevocation(
    GatewayDb db, IMatrixUserProvisioner provisioner, SecretBox secretBox, IdentityAnnouncements identities, AccessCache access,
    ILogger<TokenRevocation> logger)
{
    public Task DeleteTokensAsync(List<ApiToken> tokens, CancellationToken cancellationToken) =>
        DeleteAsync(tokens, credential: null, cancellationToken);

    public async Task DeleteCredentialAsync(Credential credential, CancellationToken cancellationToken)
    {
        var tokens = await db.Tokens.Where(t => t.CredentialId == credential.Id).ToListAsync(cancellationToken);
        await DeleteAsync(tokens, credential, cancellationToken);
    }

    private async Task DeleteAsync(List<ApiToken> tokens, Credential? credential, CancellationToken cancellationToken)
    {
        var identityIds = tokens.Select(t => t.IdentityId).Distinct().ToList();
        db.Tokens.RemoveRange(tokens);
        if (credential is not null)
        {
            db.Credentials.Remove(credential);
        }
        await db.SaveChangesAsync(cancellationToken);
        await access.RevokeAsync();
        await RemoveOrphanIdentitiesAsync(identityIds, cancellationToken);
    }

    /// <summary>
    /// Logs out and removes the identities (of <paramref name="among"/>, or all) that no token uses any more. Their tokens
    /// are deleted first, in a transaction of their own; this also finishes the work of a revocation cut short there.
    /// </summary>
    public async Task RemoveOrphanIdentitiesAsync(IReadOnlyList<int>? among, CancellationToken cancellationToken)
    {
        var orphans = await Orphans().Where(i => among == null || among.Contains(i.Id)).AsNoTracking().ToListAsync(cancellationToken);
        foreach (var identity in orphans)
        {
            try
            {
                await provisioner.LogoutAsync(secretBox.Open(identity.AccessTokenCipher), cancellationToken);
            }
            catch (HttpRequestException e)
            {
                // The tokens are gone either way; an unreachable homeserver only leaves a session that nothing uses.
                logger.LogWarning(e, "Could not log out Matrix user {UserId}", identity.UserId);
            }
        }
        // Each delete checks again, and another request (or the expired-token cleanup) that got there first is fine.
        var orphanIds = orphans.Select(i => i.Id).ToList();
        if (await Orphans().Where(i => orphanIds.Contains(i.Id)).ExecuteDeleteAsync(cancellationToken) > 0)
        {
            await identities.AnnounceChangeAsync();
        }
    }

    /// <summary>Identities no token uses, other than the host's (<c>use_host</c> tokens may come for it at any time).</summary>
    private IQueryable<MatrixIdentity> Orphans() =>
        db.MatrixIdentities.Where(i => !i.IsHost && !db.Tokens.Any(t => t.IdentityId == i.Id));
}
