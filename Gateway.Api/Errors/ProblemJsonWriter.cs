using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Errors;

/// <summary>
/// Writes a problem when the framework's own writer declines to, which it does when the request's <c>Accept</c> header
/// rules out JSON (a browser's <c>text/html</c>, say). docs/api.md#errors promises problem+json for every error, so it is written
/// anyway, finished by the same <see cref="ProblemDetailsOptions.CustomizeProblemDetails"/>.
/// </summary>
public sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> options, IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Status ??= context.HttpContext.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(problem, json.Value.SerializerOptions, "application/problem+json"));
    }
}
