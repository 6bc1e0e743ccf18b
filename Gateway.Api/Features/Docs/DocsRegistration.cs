namespace Gateway.Api.Features.Docs;

public static class DocsRegistration
{
    /// <summary>The OpenAPI document: the product and its flows, the fields each contract really has, the auth scheme each operation takes, and examples.</summary>
    public static IHostApplicationBuilder AddDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options
            .AddDocumentTransformer<ProductDescriptionTransformer>()
            .AddDocumentTransformer<SecuritySchemesTransformer>()
            .AddSchemaTransformer<ContractSchemaTransformer>()
            .AddOperationTransformer<OperationExamplesTransformer>());
        return builder;
    }
}
