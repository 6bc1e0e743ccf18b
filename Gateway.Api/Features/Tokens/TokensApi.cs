using System.Globalization;
using System.Security.Claims;
using Gateway.Api.Auth;
using Gateway.Api.Errors;
using Gateway.Api.Features.Docs;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Features.Tokens;

public static class TokensApi
{
    public static RouteGroupBuilder MapTokensApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/tokens").WithTags("Tokens");
        api.MapPost("/", CreateToken).RequireScope(Scopes.TokensCreate)
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status502BadGateway)
            .WithName("createToken").WithSummary("Create a Matrix token")
            .WithExample(TokenExamples.Create, TokenExamples.Created)
            .WithDescription("use_host=false provisions a new Matrix user (the first token ever becomes the admin and its user the host identity); "
                + "use_host=true (super admin only) shares the host identity and its devices. The token is shown only in this response.");
        api.MapGet("/", ListTokens).RequireScope(Scopes.TokensList)
            .WithName("listTokens").WithSummary("List the caller's tokens")
            .WithExample(null, TokenExamples.Listed)
            .WithDescription("The super admin also sees legacy tokens that have no credential.");
        api.MapDelete("/{tokenId}", DeleteToken).RequireScope(Scopes.TokensDelete)
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithName("deleteToken").WithSummary("Delete one of the caller's tokens")
            .WithExample(null, new MessageResponse("Token deleted successfully"));
        return api;
    }

    private static async Task<Results<Created<TokenCreated>, ProblemHttpResult>> CreateToken(
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] CreateTokenRequest? request,
        ClaimsPrincipal user, GatewayDb db, TokenIssuer issuer, IOptions<TokenOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        request ??= new CreateTokenRequest(UseHost: false, ExpiresAt: null);
        DateTime? expiresAt = null;
        if (request.ExpiresAt is not null)
        {
            if (!TryParseRfc3339(request.ExpiresAt, out var parsed))
            {
                return ApiProblems.BadRequest("Invalid expires_at format. Must be RFC3339 (e.g., 2026-12-31T23:59:59Z)");
            }
            if (parsed <= clock.GetUtcNow())
            {
                return ApiProblems.BadRequest("expires_at must be in the future");
            }
            expiresAt = parsed.UtcDateTime;
        }

        var credentialId = user.CredentialId();
        var max = options.Value.MaxPerCredential;
        if (await db.Tokens.CountAsync(t => t.CredentialId == credentialId, cancellationToken) >= max)
        {
            return ApiProblems.BadRequest($"Token limit reached: at most {max} per credential");
        }
        TokenIssuer.Issued issued;
        if (request.UseHost == true)
        {
            if (!user.IsSuperAdmin())
            {
                return ApiProblems.Forbidden("Only super_admin can use use_host=true");
            }
            var host = await db.MatrixIdentities.FirstOrDefaultAsync(i => i.IsHost, cancellationToken);
            if (host is null)
            {
                return ApiProblems.BadRequest("No admin identity found. Create first token with use_host=false");
            }
            issued = await issuer.IssueForHostAsync(host, credentialId, expiresAt, cancellationToken);
        }
        else
        {
            try
            {
                issued = await issuer.IssueWithNewIdentityAsync(credentialId, expiresAt, cancellationToken);
            }
            catch (Exception e) when (e is MatrixException or HttpRequestException)
            {
                var reason = e is MatrixException ? "The homeserver refused to create the Matrix user." : "The homeserver is unreachable.";
                return ApiProblems.Problem(StatusCodes.Status502BadGateway, $"Could not create the Matrix user: {reason} Try again later.");
            }
        }
        return TypedResults.Created($"/api/v1/tokens/{issued.Id}",
            new TokenCreated("Matrix token created successfully", issued.Token, issued.Id));
    }

    private static async Task<Ok<List<TokenView>>> ListTokens(ClaimsPrincipal user, GatewayDb db, CancellationToken cancellationToken)
    {
        var tokens = await OwnTokens(db, user)
            .OrderBy(t => t.Id)
            .Select(t => new TokenView(t.Id, t.IsAdmin, t.UseHost, t.Identity.UserId, t.ExpiresAt, t.LastUsedAt, t.CreatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(tokens);
    }

    private static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> DeleteToken(
        string tokenId, ClaimsPrincipal user, GatewayDb db, TokenRevocation revocation, CancellationToken cancellationToken)
    {
        if (!int.TryParse(tokenId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return ApiProblems.BadRequest("Invalid token ID");
        }
        var token = await OwnTokens(db, user).FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (token is null)
        {
            return ApiProblems.NotFound("Token not found");
        }
        await revocation.DeleteTokensAsync([token], cancellationToken);
        return TypedResults.Ok(new MessageResponse("Token deleted successfully"));
    }

    /// <summary>A credential's own tokens; the super admin's include legacy tokens that belong to no credential.</summary>
    private static IQueryable<ApiToken> OwnTokens(GatewayDb db, ClaimsPrincipal user)
    {
        var credentialId = user.CredentialId();
        return user.IsSuperAdmin()
            ? db.Tokens.Where(t => t.CredentialId == credentialId || t.CredentialId == null)
            : db.Tokens.Where(t => t.CredentialId == credentialId);
    }

    /// <summary>RFC 3339 date-time with an offset; its letters T and Z may be lower case.</summary>
    private static bool TryParseRfc3339(string value, out DateTimeOffset parsed)
    {
        value = value.ToUpperInvariant();
        return DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out parsed)
            && (value.EndsWith('Z') || value[^6] is '+' or '-');
    }
}
