using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gateway.Shared.Matrix;
using Gateway.SyncWorker.Bridges;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// Which login (device id) receives each portal room, from the room's <c>m.bridge</c> state
/// (<c>content.channel["fi.mau.receiver"]</c>) as the bridge set it. Remembered per identity and room; read from the
/// batch when the state is in it, else once from the homeserver when a room is first seen.
/// </summary>
public sealed class PortalReceivers(MatrixClient matrix, ILogger<PortalReceivers> logger)
{
    private readonly ConcurrentDictionary<(int IdentityId, string RoomId), string> receivers = new();
    private readonly ConcurrentDictionary<(int IdentityId, string RoomId), bool> foreignStateLogged = new();

    public async Task<string?> ReceiverAsync(MatrixSession identity, BridgeUsers bridgeUsers, string roomId, JsonNode room, CancellationToken cancellationToken)
    {
        var key = (identity.IdentityId, roomId);
        var inBatch = ((room["state"]?["events"] as JsonArray) ?? []).Concat((room["timeline"]?["events"] as JsonArray) ?? []).ToList();
        if (ReceiverIn(identity, bridgeUsers, roomId, inBatch) is { } fresh)
        {
            return receivers[key] = fresh;
        }
        if (receivers.TryGetValue(key, out var known))
        {
            return known;
        }
        try
        {
            var state = await matrix.RoomStateAsync(identity.AccessToken, roomId, cancellationToken);
            return ReceiverIn(identity, bridgeUsers, roomId, [.. state]) is { } receiver ? receivers[key] = receiver : null;
        }
        catch (MatrixException e) when ((int)e.Status is 403 or 404)
        {
            logger.LogWarning("Cannot read the state of {RoomId}: {Error}", roomId, e.Message); // left or never joined
            return null;
        }
    }

    private string? ReceiverIn(MatrixSession identity, BridgeUsers bridgeUsers, string roomId, List<JsonNode?> events)
    {
        if (bridgeUsers.HasForeignBridgeState(events) && foreignStateLogged.TryAdd((identity.IdentityId, roomId), true))
        {
            logger.LogWarning("Ignoring m.bridge state in {RoomId} that its bridge did not set", roomId);
        }
        return EventJson.String(EventJson.At(bridgeUsers.TrustedBridgeState(events), "channel", "fi.mau.receiver")) is { Length: > 0 } receiver ? receiver : null;
    }
}
