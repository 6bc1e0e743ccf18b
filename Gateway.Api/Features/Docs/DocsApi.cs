using Scalar.AspNetCore;

namespace Gateway.Api.Features.Docs;

public static class DocsApi
{
    /// <summary>OpenAPI at /openapi/v1.json, Scalar at /scalar, and the /docs addresses of docs/api.md#docs-and-health sent there.</summary>
    public static WebApplication MapDocs(this WebApplication app)
    {
        app.MapOpenApi();
        // Each operation names its own scheme in the document; Bearer is what most of them take.
        app.MapScalarApiReference(options => options
            .WithTitle(ProductDescriptionTransformer.ProductName)
            .AddPreferredSecuritySchemes(Auth.AuthSchemes.MatrixToken));
        app.MapGet("/docs", () => TypedResults.Redirect("/scalar")).ExcludeFromDescription();
        app.MapGet("/docs/index.html", () => TypedResults.Redirect("/scalar")).ExcludeFromDescription();
        return app;
    }
}
