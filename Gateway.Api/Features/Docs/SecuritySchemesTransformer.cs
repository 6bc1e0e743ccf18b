using Gateway.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Api.Features.Docs;

/// <summary>Declares the two auth schemes and marks every operation with the one its authorization policy uses.</summary>
public sealed class SecuritySchemesTransformer : IOpenApiDocumentTransformer
{
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

        var schemesByOperation = context.DescriptionGroups
            .SelectMany(group => group.Items)
            .Select(description => (
                Path: "/" + description.RelativePath?.TrimEnd('/'),
                Method: description.HttpMethod,
                Schemes: description.ActionDescriptor.EndpointMetadata.OfType<AuthorizationPolicy>()
                    .SelectMany(policy => policy.AuthenticationSchemes).Distinct().ToList()));
        foreach (var (path, method, schemes) in schemesByOperation)
        {
            if (schemes.Count == 0 || document.Paths.FirstOrDefault(p => p.Key.TrimEnd('/') == path).Value is not { Operations: { } operations })
            {
                continue;
            }
            var operation = operations.FirstOrDefault(o => string.Equals(o.Key.Method, method, StringComparison.OrdinalIgnoreCase)).Value;
            if (operation is null)
            {
                continue;
            }
            operation.Security ??= [];
            foreach (var scheme in schemes)
            {
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] });
            }
        }
        return Task.CompletedTask;
    }
}
