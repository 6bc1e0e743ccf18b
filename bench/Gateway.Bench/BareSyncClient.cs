using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gateway.Shared.Matrix;

namespace Gateway.Bench;

/// <summary>
/// The inbound baseline: a plain Matrix client long-polling /sync as the same user, doing nothing but noting when
/// each message first reaches it. What it sees is the homeserver's own delivery latency; the gateway's webhook
/// latency minus this is what the gateway adds.
/// </summary>
public sealed class BareSyncClient(MatrixClient matrix, string accessToken)
{
    private const string Filter = """{"presence":{"types":[]},"room":{"ephemeral":{"types":[]},"state":{"types":[]},"timeline":{"types":["m.room.message"],"limit":1000}}}""";

    /// <summary>When a message first reached it: Unix milliseconds (beside origin_server_ts), and a <see cref="System.Diagnostics.Stopwatch"/> timestamp (beside an injection's).</summary>
    public readonly record struct Seen(long UnixMs, long Timestamp);

    public ConcurrentDictionary<string, Seen> SeenAt { get; } = new();

    /// <summary>Syncs until cancelled; the first sync only finds the current position, so earlier messages do not count.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var since = (await SyncAsync(null, 0, cancellationToken))["next_batch"]!.GetValue<string>();
        while (!cancellationToken.IsCancellationRequested)
        {
            JsonObject batch;
            try
            {
                batch = await SyncAsync(since, 30_000, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var now = new Seen(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), System.Diagnostics.Stopwatch.GetTimestamp());
            foreach (var (_, room) in batch["rooms"]?["join"]?.AsObject() ?? [])
            {
                foreach (var message in room?["timeline"]?["events"]?.AsArray() ?? [])
                {
                    SeenAt.TryAdd(message!["event_id"]!.GetValue<string>(), now);
                }
            }
            since = batch["next_batch"]!.GetValue<string>();
        }
    }

    private Task<JsonObject> SyncAsync(string? since, int timeoutMs, CancellationToken cancellationToken) =>
        matrix.SyncAsync(accessToken, since, Filter, TimeSpan.FromMilliseconds(timeoutMs), cancellationToken);
}
