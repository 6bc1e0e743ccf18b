namespace Gateway.Api.Errors;

/// <summary>
/// Every error body as the OpenAPI document shows it: problem+json with the plain <c>error</c> member existing clients
/// read and the <c>trace_id</c> to quote. Handlers write it through <see cref="ApiProblems"/>; this type only describes it.
/// </summary>
public sealed record ProblemResponse(string Type, string Title, int Status, string Detail, string Error, string TraceId);

public static class ErrorResponses
{
    /// <summary>
    /// Documents the problem+json answers an endpoint can give. Handlers return them as <c>ProblemHttpResult</c>, which
    /// carries no status of its own, so without this the OpenAPI document would list only the successes.
    /// </summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemResponse), ["application/problem+json"]));
        }
        return builder;
    }
}
