using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Shared.Matrix;

/// <summary>Reading events that anyone in a room may have shaped as they liked: a field of another type is as good as absent.</summary>
public static class EventJson
{
    /// <summary>A JSON string's value; null for anything else.</summary>
    public static string? String(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>A JSON integer's value; null for anything else.</summary>
    public static long? Long(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number : null;
}
