using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auth;

/// <summary>
/// Basic auth against the credentials table (the super admin from CLIENT_ID/CLIENT_SECRET is one of its rows), with
/// failed attempts throttled per client id and address, and per address (<see cref="FailedAttemptThrottle"/>).
/// </summary>
public sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, GatewayDb db,
    FailedAttemptThrottle throttle)
    : ProblemAuthenticationHandler(options, logger, encoder)
{
    public const string TooManyFailedAttempts = "Too many failed attempts; retry later";

    protected override async Task<AuthenticateResult> AuthenticateHeaderAsync(string header)
    {
        var readable = TryReadBasic(header, out var clientId, out var secret);
        // The client's address: behind the proxies the operator named, the one they forwarded (see ClientAddresses).
        var attempt = new BasicAttempt(readable ? clientId : null, Context.Connection.RemoteIpAddress);
        // Refused before the secret is checked: were a right secret let through, guessing would go on at full speed.
        // Otherwise its place among the attempts being checked is reserved, so that concurrent guesses cannot all be
        // checked before any is counted.
        if (await throttle.RefusedForAsync(attempt, Context.RequestAborted) is { } wait)
        {
            return Refuse(TooManyFailedAttempts, StatusCodes.Status429TooManyRequests, retryAfter: wait);
        }
        if (!readable)
        {
            return await FailAsync(attempt, "invalid authorization header");
        }

        var credential = await db.Credentials.AsNoTracking().FirstOrDefaultAsync(c => c.ClientId == clientId, Context.RequestAborted);
        // Hash even when the client id is unknown, so timing does not tell which client ids exist.
        var secretMatches = Secrets.Matches(secret, credential?.SecretHash ?? new byte[32]);
        if (credential is null || !secretMatches || !credential.Active)
        {
            return await FailAsync(attempt, "invalid credentials");
        }
        await throttle.SettleAsync(attempt, failed: false);

        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, credential.Id.ToString()),
            new(ClaimTypes.Name, credential.ClientId),
            new(ClaimTypes.Role, credential.Role),
            .. credential.Scopes.Select(scope => new Claim(Scopes.ClaimType, scope)),
        ];
        return Accept(claims);
    }

    private async Task<AuthenticateResult> FailAsync(BasicAttempt attempt, string error)
    {
        await throttle.SettleAsync(attempt, failed: true);
        return Refuse(error);
    }

    private static bool TryReadBasic(string header, out string clientId, out string secret)
    {
        clientId = secret = "";
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrEmpty(value.Parameter))
        {
            return false;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
            var colon = decoded.IndexOf(':');
            if (colon <= 0)
            {
                return false;
            }
            (clientId, secret) = (decoded[..colon], decoded[(colon + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

public static class CredentialClaims
{
    public static int CredentialId(this ClaimsPrincipal user) => int.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
    public static bool IsSuperAdmin(this ClaimsPrincipal user) => user.IsInRole(CredentialRoles.SuperAdmin);
}
