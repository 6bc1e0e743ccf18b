using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auth;

/// <summary>Bearer auth with a Matrix token (<c>mt_…</c>): looked up by its hash, refused once expired.</summary>
public sealed class MatrixTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, MatrixTokens tokens)
    : ProblemAuthenticationHandler(options, logger, encoder)
{
    public const string InvalidTokenFormat = "invalid token format";
    public const string InvalidOrExpired = "invalid or expired token";
    public const string IdentityClaim = "matrix_identity";

    protected override async Task<AuthenticateResult> AuthenticateHeaderAsync(string header)
    {
        var parts = header.Split(' ', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || parts[1].Length == 0)
        {
            return Refuse("invalid authorization header format");
        }
        if (!string.Equals(parts[0], "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse("unsupported authorization scheme");
        }
        if (!parts[1].StartsWith(MatrixTokens.Prefix, StringComparison.Ordinal))
        {
            return Refuse(InvalidTokenFormat);
        }
        if (await tokens.ValidateAsync(parts[1], Context.RequestAborted) is not { } valid)
        {
            return Refuse(InvalidOrExpired, StatusCodes.Status403Forbidden);
        }

        Claim[] claims = [new(ClaimTypes.NameIdentifier, valid.TokenId.ToString()), new(IdentityClaim, valid.IdentityId.ToString())];
        return Accept(claims);
    }
}

public static class MatrixTokenClaims
{
    public static int MatrixIdentityId(this ClaimsPrincipal user) =>
        int.Parse(user.FindFirstValue(MatrixTokenAuthenticationHandler.IdentityClaim)!);

    public static int ApiTokenId(this ClaimsPrincipal user) => int.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
}
