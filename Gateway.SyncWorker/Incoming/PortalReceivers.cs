using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gateway.Shared.Matrix;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// Which login (device id) receives each portal room, from the room's <c>m.bridge</c> state
/// (<c>content.channel["fi.mau.receiver"]</c>). Remembered per identity and room; read from the batch when the
/// state is in it, else once from the homeserver when a room is first seen.
/// </summary>
public sealed class PortalReceivers(MatrixClient matrix, ILogger<PortalReceivers> logger)
{
    private readonly ConcurrentDictionary<(int IdentityId, string RoomId), string> receivers = new();

    public async Task<string?> ReceiverAsync(MatrixSession identity, string roomId, JsonNode room, CancellationToken cancellationToken)
    {
        var key = (identity.IdentityId, roomId);
        var inBatch = (room["state"]?["events"]?.AsArray() ?? []).Concat(room["timeline"]?["events"]?.AsArray() ?? []);
        if (ReceiverIn(inBatch) is { } fresh)
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
            return ReceiverIn(state) is { } receiver ? receivers[key] = receiver : null;
        }
        catch (MatrixException e) when ((int)e.Status is 403 or 404)
        {
            logger.LogWarning("Cannot read the state of {RoomId}: {Error}", roomId, e.Message); // left or never joined
            return null;
        }
    }

    private static string? ReceiverIn(IEnumerable<JsonNode?> events) =>
        events.Where(e => e?["type"]?.GetValue<string>() == "m.bridge")
            .Select(e => e!["content"]?["channel"]?["fi.mau.receiver"]?.GetValue<string>())
            .LastOrDefault(receiver => !string.IsNullOrEmpty(receiver));
}
