using System.Globalization;

namespace Gateway.Api.Matrix;

/// <summary>
/// How long the current request waited on others, summed: on the homeserver (every Matrix call), and on the bridge (its
/// bot's answers and joins, and another request's command to it). A send reports both in a <c>Server-Timing</c>
/// header, so a client (and the benchmark) can tell the gateway's own time from theirs.
/// </summary>
public sealed class UpstreamTime
{
    private long homeserverTicks;
    private long bridgeTicks;

    public void AddHomeserver(TimeSpan elapsed) => Interlocked.Add(ref homeserverTicks, elapsed.Ticks);

    public void AddBridge(TimeSpan elapsed) => Interlocked.Add(ref bridgeTicks, elapsed.Ticks);

    /// <summary>The <c>Server-Timing</c> value: <c>homeserver;dur=12.3, bridge;dur=0.0</c> (milliseconds).</summary>
    public string ServerTiming => $"homeserver;dur={Milliseconds(ref homeserverTicks)}, bridge;dur={Milliseconds(ref bridgeTicks)}";

    private static string Milliseconds(ref long ticks) =>
        TimeSpan.FromTicks(Interlocked.Read(ref ticks)).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
}
