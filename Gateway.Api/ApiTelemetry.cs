using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateway.Api;

/// <summary>
/// The Api's own figures, as meter and trace source <c>Gateway.Api</c> (docs/scaling.md#telemetry): sends by outcome
/// and platform, each recipient's send a span (its homeserver calls inside it), and how long the bridge takes to
/// answer a command. The benchmarks print the same names.
/// </summary>
public sealed class ApiTelemetry
{
    public const string Name = "Gateway.Api";

    public static readonly ActivitySource Traces = new(Name);

    private readonly Counter<long> sends;
    private readonly Histogram<double> bridgeCommands;

    public ApiTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        sends = meter.CreateCounter<long>("gateway.sends", "{message}", "Messages sent, one per recipient, by outcome (sent or failed) and platform");
        bridgeCommands = meter.CreateHistogram<double>("gateway.bridge.command.duration", "s",
            "From sending a command to the bridge bot to its answer (or giving up), by command, platform and outcome");
    }

    public void Sent(string platform, bool sent) =>
        sends.Add(1, new KeyValuePair<string, object?>("outcome", sent ? "sent" : "failed"), new KeyValuePair<string, object?>("platform", platform));

    /// <summary>
    /// One command's wait, by its kind and platform and how it ended: <c>answered</c>, <c>no_answer</c> (none in time),
    /// <c>still_owed</c> (an earlier one's was not in), <c>refused</c> (by the homeserver) or <c>failed</c> (the homeserver did not answer).
    /// </summary>
    public void Commanded(string command, string platform, string outcome, TimeSpan elapsed) =>
        bridgeCommands.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("command", command),
            new KeyValuePair<string, object?>("platform", platform), new KeyValuePair<string, object?>("outcome", outcome));
}
