using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Pointer;
using Json.Schema;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Gateway.Tests.Infrastructure;

/// <summary>One request and its answer, as they went over the wire.</summary>
public sealed record Exchange(HttpMethod Method, Uri Url, string? RequestType, byte[] RequestBody, HttpStatusCode Status, string? ResponseType, byte[] ResponseBody);

/// <summary>
/// An OpenAPI 3.1 document as a judge of traffic: which operation an exchange is, and what in it the document does not
/// allow. 3.1 schemas are JSON Schema 2020-12, so they are evaluated as the document has them (JsonSchema.Net), their
/// <c>$ref</c>s resolved inside it: nothing is translated, so nothing is lost or invented on the way.
/// </summary>
public sealed class OpenApiContract
{
    private static readonly Uri DocumentUri = new("https://gateway.test/openapi/v1.json");
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private readonly JsonObject document;
    private readonly BuildOptions build;
    private readonly List<(Regex Pattern, string Template)> paths;
    private readonly Dictionary<string, JsonSchema> schemas = [];

    private OpenApiContract(string json)
    {
        document = JsonNode.Parse(json)!.AsObject();
        build = new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 };
        build.SchemaRegistry.Register(DocumentUri, new JsonElementBaseDocument(JsonDocument.Parse(json).RootElement, DocumentUri));
        // A literal segment beats a parameter: /devices/qr-code is not /devices/{deviceId}.
        paths = [.. document["paths"]!.AsObject()
            .Select(p => (Pattern: new Regex("^" + Regex.Replace(Regex.Escape(p.Key), @"\\\{[^/]+?}", "[^/]+") + "$"), Template: p.Key))
            .OrderBy(p => p.Template.Count(c => c == '{'))];
    }

    public static OpenApiContract Parse(string json) => new(json);

    /// <summary>
    /// What the document does not allow in <paramref name="exchange"/>. A request the document forbids is a violation
    /// only when the Api took it (a 1xx–3xx answer): refusing it is the document and the Api agreeing, and its error
    /// answer is checked as any other.
    /// </summary>
    public IEnumerable<string> Check(Exchange exchange)
    {
        var path = exchange.Url.AbsolutePath;
        var method = exchange.Method.Method.ToLowerInvariant();
        var template = paths.FirstOrDefault(p => p.Pattern.IsMatch(path)).Template;
        if (template is null || document["paths"]![template]![method] is not JsonObject operation)
        {
            return [$"{exchange.Method} {path} → {(int)exchange.Status}: the document has no such operation"];
        }
        var name = $"{exchange.Method} {template} → {(int)exchange.Status}";
        var pointer = JsonPointer.Create("paths", template, method);
        var request = (int)exchange.Status >= 400 ? [] : RequestProblems(operation, pointer, exchange).Select(p => $"{name}: request {p} (the Api took it)");
        return request.Concat(ResponseProblems(operation, pointer, exchange).Select(p => $"{name}: answer {p}")).ToList();
    }

    private IEnumerable<string> RequestProblems(JsonObject operation, JsonPointer pointer, Exchange exchange)
    {
        var query = QueryHelpers.ParseQuery(exchange.Url.Query);
        foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
        {
            if (parameter!["in"]!.GetValue<string>() == "query" && parameter["required"]?.GetValue<bool>() == true
                && !query.ContainsKey(parameter["name"]!.GetValue<string>()))
            {
                yield return $"lacks the required query parameter {parameter["name"]}";
            }
        }
        if (operation["requestBody"] is not JsonObject body)
        {
            if (exchange.RequestBody.Length > 0)
            {
                yield return "has a body, and the operation takes none";
            }
            yield break;
        }
        if (exchange.RequestBody.Length == 0)
        {
            if (body["required"]?.GetValue<bool>() == true)
            {
                yield return "has no body, and the operation requires one";
            }
            yield break;
        }
        var mediaType = MediaTypeOf(body["content"]!.AsObject(), exchange.RequestType);
        if (mediaType is null)
        {
            yield return $"is {exchange.RequestType}, not one of {string.Join(", ", body["content"]!.AsObject().Select(c => c.Key))}";
            yield break;
        }
        var schema = pointer.Combine("requestBody", "content", mediaType, "schema");
        var instance = exchange.RequestType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            ? FormFields(exchange.RequestType, exchange.RequestBody, schema)
            : Json(exchange.RequestBody);
        foreach (var problem in instance is { } value ? Evaluate(schema, value) : ["is not JSON"])
        {
            yield return problem;
        }
    }

    private IEnumerable<string> ResponseProblems(JsonObject operation, JsonPointer pointer, Exchange exchange)
    {
        var responses = operation["responses"]!.AsObject();
        var status = ((int)exchange.Status).ToString();
        var key = new[] { status, $"{status[0]}XX", "default" }.FirstOrDefault(responses.ContainsKey);
        if (key is null)
        {
            yield return $"status {status} is not documented";
            yield break;
        }
        var content = responses[key]!["content"]?.AsObject();
        if (content is null or { Count: 0 })
        {
            if (exchange.ResponseBody.Length > 0)
            {
                yield return $"has a {exchange.ResponseType} body, and the document describes none";
            }
            yield break;
        }
        var mediaType = MediaTypeOf(content, exchange.ResponseType);
        if (mediaType is null)
        {
            yield return $"is {exchange.ResponseType ?? "empty"}, not one of {string.Join(", ", content.Select(c => c.Key))}";
            yield break;
        }
        if (!IsJson(mediaType) || content[mediaType]!["schema"] is null)
        {
            yield break;
        }
        var schema = pointer.Combine("responses", key, "content", mediaType, "schema");
        if (Json(exchange.ResponseBody) is not { } value)
        {
            yield return "is not JSON";
            yield break;
        }
        foreach (var problem in Evaluate(schema, value).Concat(Undocumented(JsonNode.Parse(exchange.ResponseBody), Resolve(schema)!, "")))
        {
            yield return problem;
        }
    }

    /// <summary>
    /// Members of an answer its schema does not name. JSON Schema lets them pass, but a client generated from the
    /// document never sees them: the document is missing a field.
    /// </summary>
    private IEnumerable<string> Undocumented(JsonNode? instance, JsonNode schema, string where)
    {
        var branches = new[] { "allOf", "oneOf", "anyOf" }.SelectMany(k => schema[k]?.AsArray() ?? []).Select(b => Resolve(b!)!).Prepend(schema).ToList();
        if (instance is JsonArray items && branches.Select(b => b["items"]).FirstOrDefault(i => i is not null) is { } itemSchema)
        {
            return items.SelectMany((item, i) => Undocumented(item, Resolve(itemSchema)!, $"{where}/{i}"));
        }
        var properties = branches.Select(b => b["properties"]).OfType<JsonObject>().SelectMany(p => p).ToList();
        if (instance is not JsonObject fields || properties.Count == 0 || branches.Any(b => b["additionalProperties"] is not null))
        {
            return [];
        }
        return fields.SelectMany(field => properties.FirstOrDefault(p => p.Key == field.Key).Value is { } property
            ? Undocumented(field.Value, Resolve(property)!, $"{where}/{field.Key}")
            : [$"at {where}/{field.Key}: a member the document does not name"]);
    }

    /// <summary>The documented media type that <paramref name="actual"/> (with its parameters) is, exactly or by a range such as <c>text/*</c>.</summary>
    private static string? MediaTypeOf(JsonObject content, string? actual)
    {
        if (actual is null || !MediaTypeHeaderValue.TryParse(actual, out var parsed))
        {
            return null;
        }
        return content.Select(c => c.Key).FirstOrDefault(documented =>
            MediaTypeHeaderValue.TryParse(documented, out var range) && parsed.IsSubsetOf(range));
    }

    private static bool IsJson(string mediaType) => mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);

    private static JsonElement? Json(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A form as the object its schema describes: each text part a string, or the number or boolean its property's schema
    /// asks for when it reads as one (a form has only text); a file part stands as its file name.
    /// </summary>
    private JsonElement FormFields(string contentType, byte[] body, JsonPointer schema)
    {
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(contentType).Boundary).Value!;
        var reader = new MultipartReader(boundary, new MemoryStream(body));
        var properties = Resolve(schema)?["properties"]?.AsObject();
        var fields = new JsonObject();
        while (reader.ReadNextSectionAsync().GetAwaiter().GetResult() is { } section)
        {
            var disposition = ContentDispositionHeaderValue.Parse(section.ContentDisposition);
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value!;
            var text = disposition.IsFileDisposition()
                ? HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? ""
                : new StreamReader(section.Body, Encoding.UTF8).ReadToEnd();
            fields[name] = Typed(text, properties?[name]);
        }
        return JsonSerializer.SerializeToElement(fields);
    }

    private JsonNode? Typed(string text, JsonNode? property)
    {
        var types = (property is null ? null : Resolve(property)?["type"]) switch
        {
            JsonArray many => many.Select(t => t!.GetValue<string>()).ToArray(),
            JsonValue one => [one.GetValue<string>()],
            _ => [],
        };
        if (types.Length == 0 || types.Contains("string"))
        {
            return JsonValue.Create(text);
        }
        if (types.Contains("boolean") && bool.TryParse(text, out var flag))
        {
            return JsonValue.Create(flag);
        }
        return (types.Contains("integer") || types.Contains("number")) && decimal.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? JsonValue.Create(number)
            : JsonValue.Create(text);
    }

    /// <summary>The schema at <paramref name="pointer"/> in the document, its <c>$ref</c> to a component followed.</summary>
    private JsonNode? Resolve(JsonPointer pointer) => pointer.TryEvaluate(document, out var node) ? Resolve(node!) : null;

    private JsonNode? Resolve(JsonNode schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference && JsonPointer.Parse(reference[1..]).TryEvaluate(document, out var target) ? target : schema;

    /// <summary>Each error of <paramref name="instance"/> against the schema at <paramref name="pointer"/>, by where in the instance it is.</summary>
    private IEnumerable<string> Evaluate(JsonPointer pointer, JsonElement instance)
    {
        var schema = SchemaAt(pointer);
        var results = schema.Evaluate(instance, Evaluation);
        if (results.IsValid)
        {
            return [];
        }
        return (results.Details ?? [results])
            .Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => (Where: d.InstanceLocation.ToString() is "" ? "/" : d.InstanceLocation.ToString(), Keyword: e.Key, e.Value)))
            // A nullable body is oneOf [null, its schema]: that an object is not null says nothing.
            .Where(e => !(e.Keyword == "type" && e.Value.EndsWith("should be \"null\"", StringComparison.Ordinal)))
            .Select(e => $"at {e.Where}: {e.Value}")
            .Distinct();
    }

    private JsonSchema SchemaAt(JsonPointer pointer)
    {
        lock (schemas)
        {
            var key = pointer.ToString();
            if (!schemas.TryGetValue(key, out var schema))
            {
                // A pointer in a URI fragment is percent-encoded (RFC 6901 §6): paths have braces, media types a '+'.
                var reference = new JsonObject { ["$ref"] = DocumentUri + "#" + string.Join('/', key.Split('/').Select(Uri.EscapeDataString)) };
                schema = JsonSchema.Build(JsonSerializer.SerializeToElement(reference), build, new Uri($"https://gateway.test/checks/{schemas.Count}"));
                schemas[key] = schema;
            }
            return schema;
        }
    }
}
