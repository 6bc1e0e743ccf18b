using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Shared.Matrix;

/// <summary>Reading events that anyone in a room may have shaped as they liked: a field of another type is as good as absent.</summary>
public static class EventJson
{
    /// <summary>The node at <paramref name="path"/> below <paramref name="node"/>, through objects only; null when any step is missing or not an object.</summary>
    public static JsonNode? At(JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var name in path)
        {
            node = node is JsonObject parent ? parent[name] : null;
        }
        return node;
    }

    /// <summary>A JSON string's value; null for anything else.</summary>
    public static string? String(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>A JSON integer's value; null for anything else.</summary>
    public static long? Long(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number : null;
}
