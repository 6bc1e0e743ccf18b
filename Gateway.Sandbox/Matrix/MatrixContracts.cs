using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Sandbox.Matrix;

/// <summary>
/// An event as the homeserver pushes it in a transaction. <c>Redacts</c> is where room versions before 11 name a
/// redaction's target (later ones put it in the content). A redacted event has an empty content.
/// </summary>
public sealed record MatrixEvent(string Type, string RoomId, string Sender, string EventId, string? StateKey, JsonElement Content,
    string? Redacts = null, long OriginServerTs = 0)
{
    public DateTimeOffset SentAt => DateTimeOffset.FromUnixTimeMilliseconds(OriginServerTs);
    public bool IsRedacted => Content.ValueKind != JsonValueKind.Object || !Content.EnumerateObject().Any();
    public JsonElement? Relation => Content.ValueKind == JsonValueKind.Object && Content.TryGetProperty("m.relates_to", out var r)
        && r.ValueKind == JsonValueKind.Object ? r : null;
    public bool IsEdit => RelationField("rel_type") == "m.replace";
    /// <summary>The event an edit, reaction or reply is about (<c>m.relates_to.event_id</c>).</summary>
    public string? RelatedEventId => RelationField("event_id");

    public string? RelationField(string name) =>
        Relation is { } r && r.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public string? Membership => Content.ValueKind == JsonValueKind.Object && Content.TryGetProperty("membership", out var m) ? m.GetString() : null;
    public string? MsgType => String("msgtype");
    public string? Body => String("body");
    public string? RedactedEvent => Redacts ?? String("redacts");

    public string? String(string name) =>
        Content.ValueKind == JsonValueKind.Object && Content.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}

public sealed record CreateRoomRequest(
    string? Name,
    string Preset,
    bool IsDirect,
    IReadOnlyList<string> Invite,
    IReadOnlyList<InitialStateEvent> InitialState,
    JsonObject? PowerLevelContentOverride,
    string Visibility = "private");

public sealed record InitialStateEvent(string Type, string StateKey, JsonNode Content);
