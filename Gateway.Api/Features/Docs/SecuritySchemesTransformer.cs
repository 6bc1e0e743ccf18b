using Gateway.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Api.Features.Docs;

/// <summary>An endpoint that checks its own credential, outside the authorization policies: which scheme documents it.</summary>
public sealed record DocumentedSecurity(string Scheme);

/// <summary>
/// Declares the auth schemes and marks every operation with the one its authorization policy uses (or its
/// <see cref="DocumentedSecurity"/>); an operation with neither is public, and says so with an empty requirement (<c>[{}]</c>).
/// </summary>
public sealed class SecuritySchemesTransformer : IOpenApiDocumentTransformer
{
    /// <summary>The WebSocket's <c>?token=</c>: browsers cannot set headers on a WebSocket.</summary>
    public const string QueryToken = "QueryToken";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[AuthSchemes.Basic] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "basic",
            Description = "CLIENT_ID:CLIENT_SECRET of a credential",
        };
        document.Components.SecuritySchemes[AuthSchemes.MatrixToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A Matrix token (mt_…) from POST /api/v1/tokens",
        };
        document.Components.SecuritySchemes[QueryToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Query,
            Name = "token",
            Description = "The one-time ticket from qr_code_url (lt_…), or a Matrix token (mt_…)",
        };

        var schemesByOperation = context.DescriptionGroups
            .SelectMany(group => group.Items)
            .Select(description => (
                Path: "/" + description.RelativePath?.TrimEnd('/'),
                Method: description.HttpMethod,
                Schemes: description.ActionDescriptor.EndpointMetadata.OfType<AuthorizationPolicy>()
                    .SelectMany(policy => policy.AuthenticationSchemes)
                    .Concat(description.ActionDescriptor.EndpointMetadata.OfType<DocumentedSecurity>().Select(s => s.Scheme))
                    .Distinct().ToList()));
        foreach (var (path, method, schemes) in schemesByOperation)
        {
            if (document.Paths.FirstOrDefault(p => p.Key.TrimEnd('/') == path).Value is not { Operations: { } operations })
            {
                continue;
            }
            var operation = operations.FirstOrDefault(o => string.Equals(o.Key.Method, method, StringComparison.OrdinalIgnoreCase)).Value;
            if (operation is null)
            {
                continue;
            }
            operation.Security ??= [];
            if (schemes.Count == 0)
            {
                operation.Security.Add(new OpenApiSecurityRequirement()); // {}: no credential needed
            }
            foreach (var scheme in schemes)
            {
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] });
            }
        }
        return Task.CompletedTask;
    }
}
