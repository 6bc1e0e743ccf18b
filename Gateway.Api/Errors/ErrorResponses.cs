using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Errors;

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
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
        }
        return builder;
    }
}
