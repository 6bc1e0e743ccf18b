using System.Text.Json.Nodes;
using Gateway.Shared.Matrix;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// A /sync timeline holds at most the filter's limit of events per room; when more arrived since the last batch
/// (a burst, or a worker that was down) it is <c>limited</c> and the older ones are missing. They are paged in from
/// <c>/messages</c>, back from the timeline's <c>prev_batch</c> to the previous batch's token, so no message is skipped.
/// </summary>
public sealed class TimelineGaps(MatrixClient matrix, ILogger<TimelineGaps> logger)
{
    // A bound on one room's catch-up, so a room flooded for days cannot hold the identity's loop forever.
    private const int MaxMissedEvents = 10_000;

    /// <summary>The room's timeline events of this batch in order, including those the limit left out.</summary>
    public async Task<List<JsonNode>> TimelineAsync(MatrixSession identity, string roomId, JsonNode room, string? since, CancellationToken cancellationToken)
    {
        var timeline = room["timeline"];
        List<JsonNode> events = [.. (timeline?["events"]?.AsArray() ?? []).OfType<JsonNode>()];
        if (timeline?["limited"]?.GetValue<bool>() != true || since is null || timeline["prev_batch"]?.GetValue<string>() is not { } from)
        {
            return events;
        }
        var missed = new List<JsonNode>();
        while (missed.Count < MaxMissedEvents)
        {
            var page = await matrix.RoomMessagesAsync(identity.AccessToken, roomId, from, since, cancellationToken);
            var chunk = page["chunk"]?.AsArray().OfType<JsonNode>().ToList() ?? [];
            missed.AddRange(chunk);
            if (chunk.Count == 0 || page["end"]?.GetValue<string>() is not { } end || end == from)
            {
                break;
            }
            from = end;
        }
        if (missed.Count > 0)
        {
            logger.LogInformation("Filled a gap of {Count} events in {RoomId}", missed.Count, roomId);
        }
        var known = events.Select(e => e["event_id"]?.GetValue<string>()).ToHashSet();
        missed.Reverse(); // pages come newest first
        return [.. missed.Where(e => !known.Contains(e["event_id"]?.GetValue<string>())).Select(e => e.DeepClone()), .. events];
    }
}
