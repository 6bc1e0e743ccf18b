namespace Gateway.Api.Features.Docs;

public static class DocsRegistration
{
    /// <summary>The OpenAPI document, with the auth scheme each operation takes.</summary>
    public static IHostApplicationBuilder AddDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer<SecuritySchemesTransformer>());
        return builder;
    }
}
