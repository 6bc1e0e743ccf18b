using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Gateway.Bench;

/// <summary>
/// A webhook receiver on loopback that notes, per path, every event id that arrives (X-Gateway-Event-Id), when it first
/// arrived, and how many times: doubles are counted, not merged.
/// </summary>
public sealed class HookReceiver : IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly int port;

    /// <summary>(path, event id) → arrivals, in Stopwatch timestamps.</summary>
    public ConcurrentDictionary<(string Path, string EventId), ConcurrentQueue<long>> Arrivals { get; } = new();

    private HookReceiver(HttpListener listener, int port) => (this.listener, this.port) = (listener, port);

    public string Url(string path) => $"http://127.0.0.1:{port}/{path}";

    public static HookReceiver Start()
    {
        var port = FreePort();
        var listener = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
        listener.Start();
        var receiver = new HookReceiver(listener, port);
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (!listener.IsListening)
                {
                    return;
                }
                catch (HttpListenerException)
                {
                    continue;
                }
                var now = Stopwatch.GetTimestamp();
                var path = context.Request.Url!.AbsolutePath.Trim('/');
                var eventId = context.Request.Headers["X-Gateway-Event-Id"] ?? "(none)";
                receiver.Arrivals.GetOrAdd((path, eventId), _ => new ConcurrentQueue<long>()).Enqueue(now);
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });
        return receiver;
    }

    public long? FirstArrival(string path, string eventId) =>
        Arrivals.TryGetValue((path, eventId), out var times) && times.TryPeek(out var first) ? first : null;

    public int CountOn(string path) => Arrivals.Count(a => a.Key.Path == path);

    public ValueTask DisposeAsync()
    {
        listener.Abort();
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}

/// <summary>A linked device whose messages go to its own path on a <see cref="HookReceiver"/>.</summary>
public sealed record BusyDevice(string Token, int IdentityId, string Phone, string Contact, string Path);

/// <summary>One injected message: which device, the sandbox's event id, and when the injection was sent.</summary>
public sealed record Injected(BusyDevice Device, string EventId, long SentAt);

/// <summary>Injections through the sandbox's /sandbox/incoming, on a fixed schedule; refusals are counted, not fatal.</summary>
public static class Flow
{
    /// <summary>A new identity with a linked device and a webhook to <paramref name="receiver"/>; its first contact's chat is opened and delivered once.</summary>
    public static async Task<BusyDevice> NewBusyDeviceAsync(BenchSystem system, HookReceiver receiver, string phone, string contact)
    {
        var (token, _) = await system.NewTenantAsync(phone);
        var device = new BusyDevice(token, await system.IdentityIdOfAsync(token), phone, contact, $"hook-{phone}");
        await system.AddWebhookAsync(token, receiver.Url(device.Path));
        // The first message opens the contact's chat; concurrent first messages would race to create it.
        var refused = new ConcurrentDictionary<string, int>();
        var first = await InjectAsync(system, device, "opens the chat", refused);
        var clock = Stopwatch.StartNew();
        while (first is not null && receiver.FirstArrival(device.Path, first.EventId) is null && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }
        return device;
    }

    /// <summary>
    /// <paramref name="messages"/> messages at <paramref name="perSecond"/>, round robin over the devices, without waiting
    /// for one before the next. <paramref name="atIndex"/> runs (once, not awaited by the schedule) when that message is due.
    /// </summary>
    public static async Task<(List<Injected> Accepted, IReadOnlyDictionary<string, int> Refused)> SteadyAsync(
        BenchSystem system, IReadOnlyList<BusyDevice> devices, int messages, double perSecond, int atIndex = -1, Func<Task>? at = null)
    {
        var refused = new ConcurrentDictionary<string, int>();
        var pending = new List<Task<Injected?>>(messages);
        Task? action = null;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
            if (i == atIndex && at is not null)
            {
                action = Task.Run(at);
            }
            pending.Add(InjectAsync(system, devices[i % devices.Count], $"steady {i} {Guid.NewGuid():N}", refused));
        }
        var accepted = (await Task.WhenAll(pending)).OfType<Injected>().ToList();
        if (action is not null)
        {
            await action;
        }
        return (accepted, refused);
    }

    /// <summary>Waits until every accepted message has reached its device's path, or <paramref name="timeout"/> passed since the call.</summary>
    public static async Task WaitForAllAsync(HookReceiver receiver, IReadOnlyList<Injected> accepted, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (accepted.Any(m => receiver.FirstArrival(m.Device.Path, m.EventId) is null) && clock.Elapsed < timeout)
        {
            await Task.Delay(100);
        }
    }

    /// <summary>Inject → first webhook arrival, in ms, of the messages that arrived.</summary>
    public static List<double> LatenciesMs(HookReceiver receiver, IEnumerable<Injected> accepted) =>
    [
        .. accepted.Select(m => receiver.FirstArrival(m.Device.Path, m.EventId) is { } arrived ? Stopwatch.GetElapsedTime(m.SentAt, arrived).TotalMilliseconds : -1)
            .Where(ms => ms >= 0),
    ];

    public static string Refusals(IReadOnlyDictionary<string, int> refused) =>
        refused.Count == 0 ? "none refused" : $"{refused.Values.Sum()} refused ({string.Join(", ", refused.Select(r => $"{r.Value}× {r.Key}"))})";

    public static double Percentile(List<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static async Task<Injected?> InjectAsync(BenchSystem system, BusyDevice device, string text, ConcurrentDictionary<string, int> refused)
    {
        var sentAt = Stopwatch.GetTimestamp();
        try
        {
            using var response = await system.Sandbox.PostAsJsonAsync("/sandbox/incoming", new { device_id = device.Phone, from = device.Contact, text });
            if (!response.IsSuccessStatusCode)
            {
                refused.AddOrUpdate(((int)response.StatusCode).ToString(), 1, (_, n) => n + 1);
                return null;
            }
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            return new Injected(device, answer["event_id"]!.GetValue<string>(), sentAt);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            refused.AddOrUpdate(e.GetType().Name, 1, (_, n) => n + 1);
            return null;
        }
    }
}
