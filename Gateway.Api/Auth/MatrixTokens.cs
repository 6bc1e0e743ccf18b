using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Auth;

/// <summary>Validates Matrix tokens (<c>mt_…</c>) for the Bearer scheme and the QR WebSocket alike.</summary>
public sealed class MatrixTokens(GatewayDb db, AccessCache access, TimeProvider clock)
{
    public const string Prefix = "mt_";
    // Recording every use would turn each request into a write; a minute is precise enough for last_used_at.
    private static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(1);

    public sealed record Valid(int TokenId, int IdentityId);

    /// <summary>A grant kept in the <see cref="AccessCache"/>; the expiry is checked on every use.</summary>
    private sealed record Kept(Valid Valid, DateTime? ExpiresAt);

    /// <summary>The token's ids, or null when it is unknown, expired or its credential is inactive.</summary>
    public async Task<Valid?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var hash = Secrets.Hash(token);
        var hashKey = Convert.ToHexString(hash);
        var now = clock.GetUtcNow().UtcDateTime;
        if (access.TryGet<Kept>("token", hashKey, out var kept))
        {
            return kept.ExpiresAt <= now ? null : kept.Valid;
        }
        var generation = access.Generation;
        var found = await db.Tokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Select(t => new { t.Id, t.IdentityId, t.ExpiresAt, t.LastUsedAt, CredentialActive = t.Credential == null || t.Credential.Active })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null || found.ExpiresAt <= now || !found.CredentialActive)
        {
            return null;
        }
        if (found.LastUsedAt is null || now - found.LastUsedAt > LastUsedPrecision)
        {
            await db.Tokens.Where(t => t.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
        }
        var valid = new Valid(found.Id, found.IdentityId);
        access.Keep("token", hashKey, new Kept(valid, found.ExpiresAt), generation);
        return valid;
    }
}
