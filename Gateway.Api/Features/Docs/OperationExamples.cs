using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Api.Errors;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Gateway.Api.Features.Docs;

/// <summary>An operation's example request body (null when it takes none) and success answer, as typed values.</summary>
public sealed record OperationExample(object? Request, object? Response);

public static class OperationExamples
{
    /// <summary>
    /// Typed rather than written as JSON, so an example is serialised as the API serialises its answers (snake_case,
    /// times with a Z) and stops compiling when the contract it shows changes.
    /// </summary>
    public static TBuilder WithExample<TBuilder>(this TBuilder builder, object? request, object? response) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OperationExample(request, response));
}

/// <summary>
/// Puts each operation's <see cref="OperationExample"/> on its request body and first success answer, an example
/// problem on each of its problem+json answers, and the <c>default</c> answer every operation can give: a 5xx problem.
/// </summary>
public sealed class OperationExamplesTransformer(IOptions<JsonOptions> json) : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var example = context.Description.ActionDescriptor.EndpointMetadata.OfType<OperationExample>().LastOrDefault();
        if (example?.Request is { } request && operation.RequestBody?.Content is { } requestContent)
        {
            SetExample(requestContent, WithoutNulls(ToJson(request)));
        }
        operation.Responses ??= [];
        if (example?.Response is { } response
            && operation.Responses.FirstOrDefault(r => r.Key.StartsWith('2')).Value?.Content is { } responseContent)
        {
            SetExample(responseContent, ToJson(response));
        }
        foreach (var (status, answer) in operation.Responses)
        {
            if (answer.Content?.TryGetValue("application/problem+json", out var problem) == true && problem.Example is null
                && problem.Schema is OpenApiSchemaReference { Reference.Id: nameof(ProblemResponse) } && int.TryParse(status, out var code))
            {
                problem.Example = ProblemExample(code);
            }
        }
        operation.Responses["default"] = new OpenApiResponse
        {
            Description = "An unexpected failure (5xx): `error` is always the same sentence; quote `trace_id` when reporting it.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(nameof(ProblemResponse)), Example = ProblemExample(500) },
            },
        };
        return Task.CompletedTask;
    }

    private JsonNode? ToJson(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), json.Value.SerializerOptions);

    /// <summary>A request shows only what it sends: a record's null is a field left out.</summary>
    private static JsonNode? WithoutNulls(JsonNode? node)
    {
        if (node is JsonObject fields)
        {
            foreach (var (name, _) in fields.Where(f => f.Value is null).ToList())
            {
                fields.Remove(name);
            }
        }
        return node;
    }

    private static void SetExample(IDictionary<string, OpenApiMediaType> content, JsonNode? example)
    {
        foreach (var mediaType in content.Values)
        {
            mediaType.Example = example?.DeepClone();
        }
    }

    /// <summary>What a problem of that status looks like; the words in <c>error</c> are the operation's own (see its description).</summary>
    private static JsonNode ProblemExample(int status)
    {
        var error = status switch
        {
            400 => "Missing required field: platform",
            401 => "missing authorization header",
            403 => "insufficient permissions",
            404 => "Not found",
            409 => "Already exists",
            413 => "Request body is too large: the limit is 1 MiB",
            429 => "Too many failed attempts; retry later",
            >= 500 => ApiProblems.Internal,
            _ => ReasonPhrases.GetReasonPhrase(status),
        };
        return new JsonObject
        {
            ["type"] = ApiProblems.Type,
            ["title"] = ReasonPhrases.GetReasonPhrase(status),
            ["status"] = status,
            ["detail"] = status >= 500 ? "The homeserver did not answer." : error,
            ["error"] = error,
            ["trace_id"] = "4bf92f3577b34da6a3ce929d0e0e4736",
        };
    }
}
