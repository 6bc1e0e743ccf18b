using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Api.Features.Docs;

/// <summary>
/// Every contract's schema says which fields its JSON really has, by one rule, so a new contract gets it right by itself:
/// <list type="bullet">
/// <item>A field is required when a request cannot leave it out, or an answer always has it. ASP.NET already makes a
/// record's parameter with a default value optional and one without required, so an optional request field is given
/// a default (<c>string? Secret = null</c>) and a required one none. <c>[Required]</c>, which ASP.NET honours too, keeps
/// a field required that takes a default only because optional ones follow it (a send's <c>platform</c>).</item>
/// <item>A field left out when null or default (<c>JsonIgnore(WhenWritingNull)</c>, or the serializer's default) is
/// not required, and never null when present: the serializer writes it only with a value.</item>
/// <item>A time is a string (a date-time). The API's own converter writes it, which hides its type from the schema
/// generator; a nullable one may be null.</item>
/// </list>
/// </summary>
public sealed class ContractSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        var time = Nullable.GetUnderlyingType(type) ?? type;
        if (schema.Type is null && (time == typeof(DateTime) || time == typeof(DateTimeOffset)))
        {
            schema.Type = time == type ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "date-time";
        }
        if (context.JsonTypeInfo.Kind != JsonTypeInfoKind.Object || schema.Properties is not { } properties)
        {
            return Task.CompletedTask;
        }
        foreach (var property in context.JsonTypeInfo.Properties)
        {
            if (LeftOutWhenEmpty(property, context.JsonTypeInfo.Options))
            {
                schema.Required?.Remove(property.Name);
                if (properties.TryGetValue(property.Name, out var field) && field is OpenApiSchema { Type: { } written } concrete)
                {
                    concrete.Type = written & ~JsonSchemaType.Null;
                }
            }
        }
        return Task.CompletedTask;
    }

    private static bool LeftOutWhenEmpty(JsonPropertyInfo property, JsonSerializerOptions options)
    {
        var condition = property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true)
            .OfType<JsonIgnoreAttribute>().FirstOrDefault()?.Condition ?? options.DefaultIgnoreCondition;
        return condition is JsonIgnoreCondition.WhenWritingNull or JsonIgnoreCondition.WhenWritingDefault;
    }
}
