using System.Text.Json.Nodes;
using Gateway.Shared.Bridges;
using Gateway.Shared.Matrix;

namespace Gateway.SyncWorker.Bridges;

/// <summary>
/// Who speaks for a bridge: its bot and its ghosts, on the homeserver's own server, where the application service's
/// exclusive namespace means nobody else can hold those names. Invites, portal state and answers are believed only
/// from them.
/// </summary>
public sealed class BridgeUsers(IReadOnlyCollection<BridgePlatform> platforms, string server)
{
    /// <summary>The platform whose bot or ghost <paramref name="userId"/> is, or null for anyone else.</summary>
    public BridgePlatform? PlatformOf(string? userId) =>
        userId is null ? null : platforms.FirstOrDefault(p => userId == p.BotUserId(server) || p.IsGhost(userId, server));

    /// <summary>The platform whose ghost <paramref name="userId"/> is (never its bot).</summary>
    public BridgePlatform? GhostPlatformOf(string? userId) =>
        userId is null ? null : platforms.FirstOrDefault(p => p.IsGhost(userId, server));

    /// <summary>
    /// The content of the last <c>m.bridge</c> state event among <paramref name="events"/> that the bridge itself set
    /// (sent by one of its users, naming its own bot as <c>bridgebot</c>); null when there is none.
    /// </summary>
    public JsonNode? TrustedBridgeState(IEnumerable<JsonNode?> events) =>
        events.Where(e => EventJson.String(e?["type"]) == "m.bridge" && IsSetByItsBridge(e!))
            .Select(e => e!["content"])
            .LastOrDefault();

    /// <summary>Whether <paramref name="events"/> hold an <c>m.bridge</c> state event the bridge did not set.</summary>
    public bool HasForeignBridgeState(IEnumerable<JsonNode?> events) =>
        events.Any(e => EventJson.String(e?["type"]) == "m.bridge" && !IsSetByItsBridge(e!));

    private bool IsSetByItsBridge(JsonNode stateEvent) =>
        PlatformOf(EventJson.String(stateEvent["sender"])) is { } platform
        && EventJson.String(EventJson.At(stateEvent, "content", "bridgebot")) == platform.BotUserId(server);
}
