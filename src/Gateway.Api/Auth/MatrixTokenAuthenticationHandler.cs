using System.Security.Claims;
using System.Text.Encodings.Web;
using Gateway.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auth;

/// <summary>Bearer auth with a Matrix token (<c>mt_…</c>): looked up by its hash, refused once expired.</summary>
public sealed class MatrixTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    GatewayDb db, TimeProvider clock)
    : ProblemAuthenticationHandler(options, logger, encoder)
{
    public const string TokenPrefix = "mt_";
    public const string InvalidOrExpired = "invalid or expired token";
    public const string IdentityClaim = "matrix_identity";
    // Recording every use would turn each request into a write; a minute is precise enough for last_used_at.
    private static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return Refuse(MissingHeader);
        }
        var parts = header.Split(' ', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || parts[1].Length == 0)
        {
            return Refuse("invalid authorization header format");
        }
        if (!string.Equals(parts[0], "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse("unsupported authorization scheme");
        }
        return await AuthenticateToken(parts[1]);
    }

    /// <summary>Also used by the QR WebSocket, whose token comes in the query string.</summary>
    public async Task<AuthenticateResult> AuthenticateToken(string token)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return Refuse("invalid token format");
        }
        var hash = Secrets.Hash(token);
        var now = clock.GetUtcNow().UtcDateTime;
        var found = await db.Tokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Select(t => new { t.Id, t.IdentityId, t.ExpiresAt, t.LastUsedAt, CredentialActive = t.Credential == null || t.Credential.Active })
            .FirstOrDefaultAsync(Context.RequestAborted);
        if (found is null || found.ExpiresAt <= now || !found.CredentialActive)
        {
            return Refuse(InvalidOrExpired, StatusCodes.Status403Forbidden);
        }
        if (found.LastUsedAt is null || now - found.LastUsedAt > LastUsedPrecision)
        {
            await db.Tokens.Where(t => t.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        Claim[] claims = [new(ClaimTypes.NameIdentifier, found.Id.ToString()), new(IdentityClaim, found.IdentityId.ToString())];
        return AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name)), Scheme.Name));
    }
}

public static class MatrixTokenClaims
{
    public static int MatrixIdentityId(this ClaimsPrincipal user) =>
        int.Parse(user.FindFirstValue(MatrixTokenAuthenticationHandler.IdentityClaim)!);
}
