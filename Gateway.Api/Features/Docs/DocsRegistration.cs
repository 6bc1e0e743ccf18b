namespace Gateway.Api.Features.Docs;

public static class DocsRegistration
{
    /// <summary>The OpenAPI document: the product and its flows, the auth scheme each operation takes, and examples.</summary>
    public static IHostApplicationBuilder AddDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options
            .AddDocumentTransformer<ProductDescriptionTransformer>()
            .AddDocumentTransformer<SecuritySchemesTransformer>()
            .AddOperationTransformer<OperationExamplesTransformer>());
        return builder;
    }
}
