using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gateway.Shared.Matrix;
using Gateway.SyncWorker.Bridges;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// What a portal room's <c>m.bridge</c> state says of its chat, as the bridge set it: the login (device id) that
/// receives it (<c>channel["fi.mau.receiver"]</c>), the chat's id and name, and whether it is a direct chat (bridgev2's
/// room type <c>dm</c>). Remembered per identity and room; read from the batch when the state is in it, else once from
/// the homeserver when a room is first seen.
/// </summary>
public sealed class PortalStates(MatrixClient matrix, ILogger<PortalStates> logger)
{
    private readonly ConcurrentDictionary<(int IdentityId, string RoomId), PortalState> states = new();
    private readonly ConcurrentDictionary<(int IdentityId, string RoomId), bool> foreignStateLogged = new();

    public async Task<PortalState?> StateAsync(MatrixSession identity, BridgeUsers bridgeUsers, string roomId, JsonNode room, CancellationToken cancellationToken)
    {
        var key = (identity.IdentityId, roomId);
        var inBatch = ((room["state"]?["events"] as JsonArray) ?? []).Concat((room["timeline"]?["events"] as JsonArray) ?? []).ToList();
        if (StateIn(identity, bridgeUsers, roomId, inBatch) is { } fresh)
        {
            return states[key] = fresh;
        }
        if (states.TryGetValue(key, out var known))
        {
            return known;
        }
        try
        {
            var state = await matrix.RoomStateAsync(identity.AccessToken, roomId, cancellationToken);
            return StateIn(identity, bridgeUsers, roomId, [.. state]) is { } portal ? states[key] = portal : null;
        }
        catch (MatrixException e) when ((int)e.Status is 403 or 404)
        {
            logger.LogWarning("Cannot read the state of {RoomId}: {Error}", roomId, e.Message); // left or never joined
            return null;
        }
    }

    private PortalState? StateIn(MatrixSession identity, BridgeUsers bridgeUsers, string roomId, List<JsonNode?> events)
    {
        if (bridgeUsers.HasForeignBridgeState(events) && foreignStateLogged.TryAdd((identity.IdentityId, roomId), true))
        {
            logger.LogWarning("Ignoring m.bridge state in {RoomId} that its bridge did not set", roomId);
        }
        if (bridgeUsers.TrustedBridgeState(events) is not { } bridge)
        {
            return null;
        }
        var channel = bridge["channel"];
        return new PortalState(
            Receiver: EventJson.String(channel?["fi.mau.receiver"]) is { Length: > 0 } receiver ? receiver : null,
            ChatId: EventJson.String(channel?["id"]) ?? "",
            Name: EventJson.String(channel?["displayname"]) ?? "",
            IsDirect: EventJson.String(bridge["com.beeper.room_type"]) == "dm");
    }
}

/// <param name="Receiver">The device whose chat it is; null when the bridge names none (bridgev2 leaves it out of group portals).</param>
public sealed record PortalState(string? Receiver, string ChatId, string Name, bool IsDirect);
