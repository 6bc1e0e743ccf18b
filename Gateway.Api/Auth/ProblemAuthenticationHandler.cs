using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Gateway.Api.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auth;

/// <summary>
/// Authentication whose challenges and refusals are the API's problem+json errors with their exact texts.
/// A failure may carry its own status (a Matrix token that is unknown or expired is 403, not 401) and a Retry-After.
/// </summary>
public abstract class ProblemAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string MissingHeader = "missing authorization header";
    public const string InsufficientPermissions = "insufficient permissions";

    protected sealed override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        return string.IsNullOrEmpty(header) ? Task.FromResult(Refuse(MissingHeader)) : AuthenticateHeaderAsync(header);
    }

    /// <summary>Checks the request's (present) <c>Authorization</c> header.</summary>
    protected abstract Task<AuthenticateResult> AuthenticateHeaderAsync(string header);

    protected AuthenticateResult Accept(IEnumerable<Claim> claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name)), Scheme.Name));

    protected static AuthenticateResult Refuse(string error, int status = StatusCodes.Status401Unauthorized, TimeSpan? retryAfter = null) =>
        AuthenticateResult.Fail(new AuthRefusal(error, status, retryAfter));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var refusal = result.Failure as AuthRefusal ?? new AuthRefusal(MissingHeader, StatusCodes.Status401Unauthorized, null);
        if (refusal.Status == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = Scheme.Name == AuthSchemes.Basic ? "Basic realm=\"gateway\"" : "Bearer";
        }
        if (refusal.RetryAfter is { } wait)
        {
            Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }
        await WriteProblem(refusal.Status, refusal.Message);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status403Forbidden, InsufficientPermissions);

    private Task WriteProblem(int status, string error) => ApiProblems.Problem(status, error).ExecuteAsync(Context);

    private sealed class AuthRefusal(string message, int status, TimeSpan? retryAfter) : Exception(message)
    {
        public int Status { get; } = status;
        public TimeSpan? RetryAfter { get; } = retryAfter;
    }
}
