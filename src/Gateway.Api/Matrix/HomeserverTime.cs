using System.Globalization;

namespace Gateway.Api.Matrix;

/// <summary>
/// How long the current request waited on the homeserver, summed over its calls. A send reports it in a
/// <c>Server-Timing</c> header, so a client (and the benchmark) can tell the gateway's own time from the homeserver's.
/// </summary>
public sealed class HomeserverTime
{
    private long ticks;

    public void Add(TimeSpan elapsed) => Interlocked.Add(ref ticks, elapsed.Ticks);

    /// <summary>The <c>Server-Timing</c> value: <c>homeserver;dur=12.3</c> (milliseconds).</summary>
    public string ServerTiming =>
        "homeserver;dur=" + TimeSpan.FromTicks(Interlocked.Read(ref ticks)).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
}
