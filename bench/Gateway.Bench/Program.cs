// Send benchmark: N messages through POST /api/v1/devices/{id}/message against the same N sent straight to the
// homeserver (PUT /rooms/{id}/send) in the same run, to the same already-resolved contact's portal room.
// Then the inbound benchmark: messages injected through the sandbox at a fixed rate, timed to a webhook receiver.
// Then the status benchmark: messages sent through the API, timed from the bridge's status event to the message.status webhook.
// Usage: dotnet run -c Release --project bench/Gateway.Bench -- [messages=800] [rounds=8] [inbound=1000] [inbound-rate=200] [statuses=200] (0 skips a part)
// Or: ... -- limits [quiet-messages=50]: the SyncWorker's memory under large files, and one tenant's latency beside a hanging one.
// Or: ... -- identities [counts=100,1000,2000x2] [busy-messages=200] [busy-rate=20] [rounds=3]: idle identities per SyncWorker
//     (RSS, idle CPU, time until every loop runs, a busy identity's p99 beside its p99 alone and its bare /sync client's,
//     Synapse's RSS, CPU and /sync rate), warm, as medians of rounds with their spread; "x2" runs that count on two replicas.
// Or: ... -- takeover [identities=50] [messages=200]: kill -9 of one of two SyncWorker replicas mid-flow: takeover time, lost, doubled.
// Or: ... -- lease-writes [identities=1000] [seconds=60]: what keeping idle identities' leases costs PostgreSQL (rows and transactions per second).
using System.Diagnostics;
using Gateway.Bench;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")] // local mode runs Linux servers

if (args.Length > 0 && args[0] == "limits")
{
    Console.WriteLine("Starting the gateway (local mode, sandbox bridge)...");
    await using var limitsSystem = await BenchSystem.StartAsync();
    await Limits.RunAsync(limitsSystem, args.Length > 1 ? int.Parse(args[1]) : 50);
    return;
}

if (args.Length > 0 && args[0] == "identities")
{
    // "2000x2": 2 000 idle identities on two replicas.
    var systems = (args.Length > 1 ? args[1] : "100,1000,2000x2").Split(',')
        .Select(c => c.Split('x') is [var count, var replicas] ? (int.Parse(count), int.Parse(replicas)) : (int.Parse(c), 1));
    await Identities.RunAsync(systems, args.Length > 2 ? int.Parse(args[2]) : 200,
        args.Length > 3 ? double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 20, args.Length > 4 ? int.Parse(args[4]) : 3);
    return;
}

if (args.Length > 0 && args[0] == "lease-writes")
{
    Console.WriteLine("Starting the gateway (local mode, sandbox bridge, one SyncWorker)...");
    await LeaseWrites.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 1000, args.Length > 2 ? int.Parse(args[2]) : 60);
    return;
}

if (args.Length > 0 && args[0] == "takeover")
{
    Console.WriteLine("Starting the gateway (local mode, sandbox bridge, two SyncWorker replicas)...");
    await Takeover.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 50, args.Length > 2 ? int.Parse(args[2]) : 200);
    return;
}

var messages = args.Length > 0 ? int.Parse(args[0]) : 800;
var rounds = args.Length > 1 ? int.Parse(args[1]) : 8;
var inboundMessages = args.Length > 2 ? int.Parse(args[2]) : 1000;
var inboundRate = args.Length > 3 ? int.Parse(args[3]) : 200;
var statusMessages = args.Length > 4 ? int.Parse(args[4]) : 200;

Console.WriteLine("Starting the gateway (local mode, sandbox bridge)...");
await using var system = await BenchSystem.StartAsync();
var target = await system.LinkDeviceAndResolveContactAsync();
Console.WriteLine($"Device {target.DeviceId} linked; contact resolved to {target.RoomId}.");
Console.WriteLine($"link: POST /devices -> first qr frame {target.Link.FirstQr.TotalMilliseconds:F0} ms, scan -> success frame {target.Link.ScanToSuccess.TotalMilliseconds:F0} ms");

if (messages > 0)
{
    // Warm both paths before measuring: connection pools, and tiered JIT, which recompiles hot methods
    // in the background for the first hundred or so calls and would otherwise show up in the p99.
    await Senders.ThroughGatewayAsync(system, target, 200);
    await Senders.DirectAsync(system, target, 200);

    var gateway = new List<double>();
    var gatewayOwn = new List<double>();
    var direct = new List<double>();
    var gatewayTime = TimeSpan.Zero;
    var directTime = TimeSpan.Zero;
    // Alternate the two in rounds so drift (homeserver caches, disk) falls on both alike.
    for (var round = 0; round < rounds; round++)
    {
        var stopwatch = Stopwatch.StartNew();
        var sends = await Senders.ThroughGatewayAsync(system, target, messages / rounds);
        gateway.AddRange(sends.LatenciesMs);
        gatewayOwn.AddRange(sends.OwnMs);
        gatewayTime += stopwatch.Elapsed;
        stopwatch.Restart();
        direct.AddRange(await Senders.DirectAsync(system, target, messages / rounds));
        directTime += stopwatch.Elapsed;
    }

    var gatewayRate = gateway.Count / gatewayTime.TotalSeconds;
    var directRate = direct.Count / directTime.TotalSeconds;
    Console.WriteLine();
    Console.WriteLine($"messages per path      {gateway.Count}");
    Console.WriteLine($"direct homeserver      {directRate,8:F1} msg/s   p50 {Percentile(direct, 50),6:F2} ms   p99 {Percentile(direct, 99),6:F2} ms");
    Console.WriteLine($"through the gateway    {gatewayRate,8:F1} msg/s   p50 {Percentile(gateway, 50),6:F2} ms   p99 {Percentile(gateway, 99),6:F2} ms   (the rate of gateway.sends{{outcome=sent}})");
    Console.WriteLine($"throughput ratio       {gatewayRate / directRate,8:F3}   (target >= 0.9)");
    Console.WriteLine($"added latency          p50 {Percentile(gateway, 50) - Percentile(direct, 50),6:F2} ms   p99 {Percentile(gateway, 99) - Percentile(direct, 99),6:F2} ms   (p99 of each, set apart)");
    Console.WriteLine($"gateway's own time     p50 {Percentile(gatewayOwn, 50),6:F2} ms   p99 {Percentile(gatewayOwn, 99),6:F2} ms   (per send: latency minus its Server-Timing waits; target p99 < 5 ms)");
}

if (inboundMessages > 0)
{
    var inbound = await Inbound.RunAsync(system, target, inboundMessages, inboundRate);
    Console.WriteLine();
    var refusals = inbound.Refused.Count == 0 ? "none refused"
        : $"{inbound.Refused.Values.Sum()} refused by the sandbox ({string.Join(", ", inbound.Refused.Select(r => $"{r.Value}× {r.Key}"))}: the homeserver did not keep up)";
    Console.WriteLine($"inbound: {inboundMessages} messages injected at {inboundRate}/s, {refusals}, {inbound.Delivered} delivered to the webhook");
    if (inbound.Delivered > 0)
    {
        Console.WriteLine($"homeserver event -> webhook arrival   p50 {Percentile(inbound.LatenciesMs, 50),6:F0} ms   p99 {Percentile(inbound.LatenciesMs, 99),6:F0} ms   (target p50 < 50, p99 < 250)");
        Console.WriteLine($"bare /sync client (baseline)         p50 {Percentile(inbound.BaselineMs, 50),6:F0} ms   p99 {Percentile(inbound.BaselineMs, 99),6:F0} ms   (the homeserver's own latency, {inbound.BaselineMs.Count} seen)");
        Console.WriteLine($"added by the gateway                 p50 {Percentile(inbound.AddedMs, 50),6:F0} ms   p99 {Percentile(inbound.AddedMs, 99),6:F0} ms   (bare client saw it -> webhook arrival)");
        Console.WriteLine($"  of which: event -> outbox row     p50 {Percentile(inbound.SyncSideMs, 50),6:F0} ms   p99 {Percentile(inbound.SyncSideMs, 99),6:F0} ms   (sync, payload, commit: gateway.sync.lag, then the storing)");
        Console.WriteLine($"            outbox row -> arrival   p50 {Percentile(inbound.DeliverySideMs, 50),6:F0} ms   p99 {Percentile(inbound.DeliverySideMs, 99),6:F0} ms   (claim, sign, POST: the claim, then gateway.webhook.attempt.duration)");
        Console.WriteLine($"sustained delivery rate              {inbound.SustainedRate,6:F1} msg/s   (the rate of gateway.webhook.attempts{{outcome=delivered}}; homeserver took them in at {inbound.HomeserverRate:F1} msg/s, "
            + $"its /sync served the bare client {inbound.BareRate:F1} msg/s; target >= 0.95 of intake: {inbound.SustainedRate / inbound.HomeserverRate:F2})");
    }
}

if (statusMessages > 0)
{
    var statuses = await Statuses.RunAsync(system, target, statusMessages, perSecond: 20);
    Console.WriteLine();
    Console.WriteLine($"statuses: {statuses.Sent} messages sent at 20/s, {statuses.Told} told as message.status sent");
    Console.WriteLine(statuses.Told == 0
        ? "status event -> webhook arrival       not measured: this gateway told no statuses (no webhook events, or status events off)"
        : $"status event -> webhook arrival       p50 {Percentile(statuses.LatenciesMs, 50),6:F0} ms   p99 {Percentile(statuses.LatenciesMs, 99),6:F0} ms   (beside the message path's above)");
}

static double Percentile(List<double> values, int percentile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
