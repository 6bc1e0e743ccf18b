using System.Text.RegularExpressions;
using Gateway.Api.Auth;
using Gateway.Api.Errors;
using Gateway.Api.Features.Docs;
using Gateway.Api.Features.Tokens;
using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Features.Credentials;

public static partial class CredentialsApi
{
    public const int MaxDescriptionLength = 500;

    public static RouteGroupBuilder MapCredentialsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/credentials").WithTags("Credentials");
        api.MapPost("/", CreateCredential).RequireScope(Scopes.CredentialsWrite)
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict)
            .WithName("createCredential").WithSummary("Create an API client credential")
            .WithExample(CredentialExamples.Create, CredentialExamples.Created)
            .WithDescription("The client_secret is shown only in this response.");
        api.MapGet("/", ListCredentials).RequireScope(Scopes.CredentialsRead)
            .WithName("listCredentials").WithSummary("List credentials")
            .WithExample(null, new[] { CredentialExamples.Credential });
        api.MapPut("/{clientId}", UpdateCredential).RequireScope(Scopes.CredentialsWrite)
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithName("updateCredential").WithSummary("Update a credential")
            .WithExample(CredentialExamples.Update, CredentialExamples.Updated)
            .WithDescription("Omitted fields keep their value; regenerate_secret returns a new client_secret.");
        api.MapDelete("/{clientId}", DeleteCredential).RequireScope(Scopes.CredentialsWrite)
            .ProducesErrors(StatusCodes.Status404NotFound)
            .WithName("deleteCredential").WithSummary("Delete a credential and revoke its tokens")
            .WithExample(null, new MessageResponse("Credential deleted successfully"));
        return api;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{3,64}$")]
    private static partial Regex ClientIdPattern();

    private static async Task<Results<Created<CredentialCreated>, ProblemHttpResult>> CreateCredential(
        CreateCredentialRequest request, GatewayDb db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.ClientId))
        {
            return ApiProblems.BadRequest("missing required field: client_id");
        }
        if (!ClientIdPattern().IsMatch(request.ClientId))
        {
            return ApiProblems.BadRequest("Invalid client_id: use 3 to 64 letters, digits, '.', '_' or '-'");
        }
        if (InvalidFields(request.Description, request.Scopes) is { } invalid)
        {
            return invalid;
        }
        var conflict = ApiProblems.Conflict($"Credential with client_id '{request.ClientId}' already exists");
        if (await db.Credentials.AnyAsync(c => c.ClientId == request.ClientId, cancellationToken))
        {
            return conflict;
        }

        var secret = Secrets.NewRandom();
        var now = clock.GetUtcNow().UtcDateTime;
        var credential = new Credential
        {
            ClientId = request.ClientId,
            SecretHash = Secrets.Hash(secret),
            Role = CredentialRoles.User,
            Scopes = request.Scopes?.Distinct().ToList() ?? [.. Scopes.UserDefaults],
            Description = request.Description,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Credentials.Add(credential);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return conflict; // created by a concurrent request between the check and the insert
        }
        return TypedResults.Created($"/api/v1/credentials/{credential.ClientId}",
            new CredentialCreated("Credential created successfully", CredentialView.Of(credential), secret));
    }

    private static async Task<Ok<List<CredentialView>>> ListCredentials(GatewayDb db, CancellationToken cancellationToken)
    {
        var credentials = await db.Credentials.AsNoTracking().OrderBy(c => c.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(credentials.Select(CredentialView.Of).ToList());
    }

    private static async Task<Results<Ok<CredentialUpdated>, ProblemHttpResult>> UpdateCredential(
        string clientId, UpdateCredentialRequest request, GatewayDb db, AccessCache access, TimeProvider clock, CancellationToken cancellationToken)
    {
        var credential = await db.Credentials.FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);
        if (credential is null)
        {
            return ApiProblems.NotFound("Credential not found");
        }
        if (credential.IsSuperAdmin)
        {
            // Only the CLIENT_ID super admin is active; an earlier one was retired at start and must stay so.
            if (!credential.Active && request.Active == true)
            {
                return ApiProblems.Forbidden("Cannot reactivate a replaced super admin credential");
            }
            if (request.Active == false)
            {
                return ApiProblems.Forbidden("Cannot deactivate super admin credentials");
            }
            if (request.RegenerateSecret == true)
            {
                return ApiProblems.Forbidden("Cannot regenerate secret for super admin credentials");
            }
            if (request.Scopes is not null)
            {
                return ApiProblems.Forbidden("Cannot change scopes of super admin credentials");
            }
        }
        if (InvalidFields(request.Description, request.Scopes) is { } invalid)
        {
            return invalid;
        }

        credential.Description = request.Description ?? credential.Description;
        credential.Active = request.Active ?? credential.Active;
        credential.Scopes = request.Scopes?.Distinct().ToList() ?? credential.Scopes;
        string? secret = null;
        if (request.RegenerateSecret == true)
        {
            secret = Secrets.NewRandom();
            credential.SecretHash = Secrets.Hash(secret);
        }
        credential.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        if (request.Active == false)
        {
            await access.RevokeAsync(); // the credential's tokens stop working too
        }
        return TypedResults.Ok(new CredentialUpdated("Credential updated successfully", CredentialView.Of(credential), secret));
    }

    private static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> DeleteCredential(
        string clientId, GatewayDb db, TokenRevocation revocation, CancellationToken cancellationToken)
    {
        var credential = await db.Credentials.FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);
        if (credential is null)
        {
            return ApiProblems.NotFound("Credential not found");
        }
        if (credential.IsSuperAdmin)
        {
            return ApiProblems.Forbidden("Cannot delete super admin credentials");
        }
        await revocation.DeleteCredentialAsync(credential, cancellationToken);
        return TypedResults.Ok(new MessageResponse("Credential deleted successfully"));
    }

    /// <summary>The 400 for a description over <see cref="MaxDescriptionLength"/>, or a scope that is not a known one (null included).</summary>
    private static ProblemHttpResult? InvalidFields(string? description, List<string>? scopes)
    {
        if (description?.Length > MaxDescriptionLength)
        {
            return ApiProblems.BadRequest($"Description is too long: at most {MaxDescriptionLength} characters");
        }
        foreach (var scope in scopes ?? [])
        {
            if (scope is null || !Scopes.IsValid(scope))
            {
                return ApiProblems.BadRequest($"Unknown scope: {scope ?? "null"}");
            }
        }
        return null;
    }
}
