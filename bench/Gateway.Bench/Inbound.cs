using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Gateway.Bench;

/// <summary>
/// Inbound benchmark: messages injected through the sandbox at a fixed rate, timed from the homeserver's event
/// timestamp (origin_server_ts) to their arrival at a webhook receiver on loopback.
/// </summary>
public static class Inbound
{
    /// <param name="HomeserverRate">How fast the homeserver took the messages in (first to last origin_server_ts).</param>
    /// <param name="BaselineMs">Homeserver event to a bare /sync client seeing it (the homeserver's own latency).</param>
    /// <param name="AddedMs">What the gateway adds: the bare client seeing a message to the webhook receiving it.</param>
    /// <param name="SyncSideMs">Homeserver event to its delivery row (sync, payload, outbox commit).</param>
    /// <param name="DeliverySideMs">Delivery row to the receiver's arrival (claim, POST).</param>
    /// <param name="Refused">Injections the sandbox refused (503: the homeserver could not keep up), by status.</param>
    /// <param name="BareRate">How fast the bare /sync client saw them (first injection to the last it saw): what the homeserver serves.</param>
    public sealed record Result(int Delivered, IReadOnlyDictionary<string, int> Refused, double SustainedRate, double HomeserverRate, double BareRate,
        List<double> LatenciesMs, List<double> BaselineMs, List<double> AddedMs, List<double> SyncSideMs, List<double> DeliverySideMs);

    public static async Task<Result> RunAsync(BenchSystem system, BenchTarget target, int messages, int perSecond)
    {
        var port = FreePort();
        using var receiver = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
        receiver.Start();
        var arrivals = new ConcurrentDictionary<string, long>();
        _ = Task.Run(async () =>
        {
            while (receiver.IsListening)
            {
                var context = await receiver.GetContextAsync();
                arrivals.TryAdd(context.Request.Headers["X-Gateway-Event-Id"]!, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        using (var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", target.GatewayToken) },
            Content = JsonContent.Create(new { url = $"http://127.0.0.1:{port}/hook" }),
        })
        {
            (await system.Api.SendAsync(create)).EnsureSuccessStatusCode();
        }

        var bareClient = new BareSyncClient(system.Matrix, target.MatrixAccessToken);
        using var stopBareClient = new CancellationTokenSource();
        var bareSync = bareClient.RunAsync(stopBareClient.Token);
        await Task.Delay(500); // its first sync has found the current position

        // Inject on a fixed schedule, without waiting for one message before the next.
        var injected = new List<Task<JsonNode?>>(messages);
        var refused = new ConcurrentDictionary<string, int>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
            injected.Add(InjectAsync(system, target, i, refused));
        }
        var events = (await Task.WhenAll(injected)).OfType<JsonNode>().ToList();
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)clock.Elapsed.TotalMilliseconds;

        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (arrivals.Count < events.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        receiver.Stop();
        await stopBareClient.CancelAsync();
        await bareSync;

        var latencies = new List<double>();
        var baseline = new List<double>();
        var added = new List<double>();
        var syncSide = new List<double>();
        var deliverySide = new List<double>();
        var recorded = await system.DeliveryRowTimesAsync();
        var origins = new List<long>();
        foreach (var injectedEvent in events)
        {
            var eventId = injectedEvent["event_id"]!.GetValue<string>();
            var origin = await OriginTimestampAsync(system, target, injectedEvent["room_id"]!.GetValue<string>(), eventId);
            origins.Add(origin);
            if (arrivals.TryGetValue(eventId, out var arrived))
            {
                latencies.Add(arrived - origin);
                var written = new DateTimeOffset(recorded[eventId], TimeSpan.Zero).ToUnixTimeMilliseconds();
                syncSide.Add(written - origin);
                if (bareClient.SeenAt.TryGetValue(eventId, out var seen))
                {
                    baseline.Add(seen.UnixMs - origin);
                    added.Add(arrived - seen.UnixMs);
                }
                deliverySide.Add(arrived - written);
            }
        }
        var lastArrival = arrivals.Values.DefaultIfEmpty(started).Max();
        var lastSeen = bareClient.SeenAt.Values.Select(seen => seen.UnixMs).DefaultIfEmpty(started).Max();
        return new Result(latencies.Count, refused, latencies.Count / Math.Max(0.001, (lastArrival - started) / 1000.0),
            origins.Count / Math.Max(0.001, (origins.DefaultIfEmpty(0).Max() - origins.DefaultIfEmpty(0).Min()) / 1000.0),
            baseline.Count / Math.Max(0.001, (lastSeen - started) / 1000.0),
            latencies, baseline, added, syncSide, deliverySide);
    }

    /// <summary>The injected event, or null when the sandbox refused it (counted by status: the run goes on).</summary>
    private static async Task<JsonNode?> InjectAsync(BenchSystem system, BenchTarget target, int i, ConcurrentDictionary<string, int> refused)
    {
        try
        {
            using var response = await system.Sandbox.PostAsJsonAsync("/sandbox/incoming",
                new { device_id = target.DeviceId, from = target.Contact, text = $"inbound {i}" });
            if (!response.IsSuccessStatusCode)
            {
                refused.AddOrUpdate(((int)response.StatusCode).ToString(), 1, (_, n) => n + 1);
                return null;
            }
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            refused.AddOrUpdate(e.GetType().Name, 1, (_, n) => n + 1);
            return null;
        }
    }

    private static async Task<long> OriginTimestampAsync(BenchSystem system, BenchTarget target, string roomId, string eventId) =>
        (await system.Matrix.EventAsync(target.MatrixAccessToken, roomId, eventId, CancellationToken.None))["origin_server_ts"]!.GetValue<long>();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
