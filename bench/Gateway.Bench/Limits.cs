using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace Gateway.Bench;

/// <summary>
/// What one tenant's traffic costs: the SyncWorker's memory while 20 files of 20 MiB arrive at once, and a quiet
/// tenant's inbound latency alone and beside a tenant whose 50 webhooks never answer.
/// </summary>
public static class Limits
{
    private const int Files = 20;
    private const int FileBytes = 20 * 1024 * 1024;
    private const int HangingWebhooks = 50;
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task RunAsync(BenchSystem system, int quietMessages)
    {
        await using var receiver = await Receiver.StartAsync(answer: true);
        await MediaMemoryAsync(system, receiver);
        await FairnessAsync(system, receiver, quietMessages);
    }

    private static async Task MediaMemoryAsync(BenchSystem system, Receiver receiver)
    {
        var (token, _) = await system.NewTenantAsync("237600000011");
        await system.AddWebhookAsync(token, receiver.Url("media"));
        using var worker = BenchSystem.SyncWorkerProcess();
        if (worker is null)
        {
            Console.WriteLine("media: the SyncWorker's process was not found; memory not measured");
            return;
        }
        var before = RssMb(worker.Id);
        using var sampling = new CancellationTokenSource();
        var peak = 0.0;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, RssMb(worker.Id));
                await Task.Delay(50);
            }
        });

        // The first message opens the contact's chat; concurrent first messages would race to create it.
        await TryInjectAsync(system, "237600000011", "237600000012", "files follow", media: null);
        await receiver.WaitForAsync("media", 1, TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        var file = new byte[FileBytes];
        Random.Shared.NextBytes(file);
        var base64 = Convert.ToBase64String(file);
        var injected = await Task.WhenAll(Enumerable.Range(0, Files).Select(i => TryInjectAsync(system, "237600000011", "237600000012",
            text: null, media: new { mime_type = "application/octet-stream", base64, filename = $"file{i}.bin" })));
        var sent = injected.Count(ok => ok);
        var arrived = await receiver.WaitForAsync("media", sent + 1, TimeSpan.FromMinutes(3)) - 1;
        await sampling.CancelAsync();
        await sampler;
        Console.WriteLine();
        Console.WriteLine($"media: {Files} files of {FileBytes / (1024 * 1024)} MiB injected at once ({sent} accepted), {arrived} delivered in {clock.Elapsed.TotalSeconds:F1} s");
        var heapLimit = Environment.GetEnvironmentVariable("BENCH_SYNCWORKER_HEAP_MB") is { Length: > 0 } mb ? $", managed heap capped at {mb} MB" : "";
        Console.WriteLine($"SyncWorker RSS        before {before,7:F0} MB   peak {peak,7:F0} MB   (sampled every 50 ms{heapLimit}; restarted: {(worker.HasExited ? "yes" : "no")})");
    }

    private static async Task FairnessAsync(BenchSystem system, Receiver receiver, int messages)
    {
        var (quiet, _) = await system.NewTenantAsync("237600000021");
        await system.AddWebhookAsync(quiet, receiver.Url("quiet"));
        var alone = await QuietLatenciesAsync(system, receiver, messages);

        await using var hanging = await Receiver.StartAsync(answer: false);
        var (noisy, _) = await system.NewTenantAsync("237600000031");
        for (var i = 0; i < HangingWebhooks; i++)
        {
            await system.AddWebhookAsync(noisy, hanging.Url($"hook{i}"));
        }
        using var stopNoise = new CancellationTokenSource();
        var noise = Task.Run(async () =>
        {
            for (var i = 0; !stopNoise.IsCancellationRequested; i++)
            {
                await TryInjectAsync(system, "237600000031", "237600000032", $"noise {i}", media: null);
                await Task.Delay(1000);
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(3)); // the hanging POSTs hold their slots
        var beside = await QuietLatenciesAsync(system, receiver, messages);
        await stopNoise.CancelAsync();
        await noise;

        Console.WriteLine();
        Console.WriteLine($"quiet tenant, {messages} messages, inject -> webhook arrival (a {HangingWebhooks}-webhook tenant whose receivers never answer beside it: {hanging.Received} POSTs held)");
        Console.WriteLine($"alone                 p50 {Percentile(alone, 50),7:F0} ms   p99 {Percentile(alone, 99),7:F0} ms   ({alone.Count} delivered)");
        Console.WriteLine($"beside hanging tenant p50 {Percentile(beside, 50),7:F0} ms   p99 {Percentile(beside, 99),7:F0} ms   ({beside.Count} delivered)");
    }

    /// <summary>One message every 200 ms from a contact of the quiet tenant; each one's inject-to-arrival time.</summary>
    private static async Task<List<double>> QuietLatenciesAsync(BenchSystem system, Receiver receiver, int messages)
    {
        var latencies = new ConcurrentBag<double>();
        var pending = new List<Task>();
        for (var i = 0; i < messages; i++)
        {
            var text = $"quiet {Guid.NewGuid():N}";
            var start = Stopwatch.GetTimestamp();
            if (await TryInjectAsync(system, "237600000021", "237600000022", text, media: null))
            {
                pending.Add(Task.Run(async () =>
                {
                    if (await receiver.WaitForTextAsync(text, TimeSpan.FromSeconds(60)))
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }));
            }
            await Task.Delay(200);
        }
        await Task.WhenAll(pending);
        return [.. latencies];
    }

    private static async Task<bool> TryInjectAsync(BenchSystem system, string deviceId, string from, string? text, object? media)
    {
        try
        {
            // Unescaped, base64's '+' stays one byte: a 20 MiB file then fits the sandbox's 30 MB request limit.
            using var response = await system.Sandbox.PostAsJsonAsync("/sandbox/incoming", new { device_id = deviceId, from, text, media }, Relaxed);
            if (!response.IsSuccessStatusCode)
            {
                Console.WriteLine($"  the sandbox refused an injection: {(int)response.StatusCode}");
            }
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException e)
        {
            Console.WriteLine($"  an injection failed: {e.Message}");
            return false;
        }
    }

    private static double RssMb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static double Percentile(List<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>A webhook receiver on loopback: answers 200 at once, or (answer: false) holds every POST open.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly HttpListener listener;
        private readonly int port;
        private readonly ConcurrentDictionary<string, int> perPath = new();
        private readonly ConcurrentDictionary<string, bool> texts = new();
        private int received;

        private Receiver(HttpListener listener, int port) => (this.listener, this.port) = (listener, port);

        public int Received => received;

        public string Url(string path) => $"http://127.0.0.1:{port}/{path}";

        public static Task<Receiver> StartAsync(bool answer)
        {
            var port = FreePort();
            var listener = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
            listener.Start();
            var receiver = new Receiver(listener, port);
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
                    Interlocked.Increment(ref receiver.received);
                    if (answer)
                    {
                        _ = Task.Run(() => receiver.AnswerAsync(context));
                    }
                }
            });
            return Task.FromResult(receiver);
        }

        private async Task AnswerAsync(HttpListenerContext context)
        {
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            perPath.AddOrUpdate(context.Request.Url!.AbsolutePath.Trim('/'), 1, (_, n) => n + 1);
            if (body.Length < 4096 && System.Text.Json.Nodes.JsonNode.Parse(body)?["message"]?.GetValue<string>() is { } text)
            {
                texts[text] = true;
            }
            context.Response.StatusCode = 200;
            context.Response.Close();
        }

        public async Task<int> WaitForAsync(string path, int count, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (perPath.GetValueOrDefault(path) < count && deadline.Elapsed < timeout)
            {
                await Task.Delay(50);
            }
            return perPath.GetValueOrDefault(path);
        }

        public async Task<bool> WaitForTextAsync(string text, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (!texts.ContainsKey(text) && deadline.Elapsed < timeout)
            {
                await Task.Delay(10);
            }
            return texts.ContainsKey(text);
        }

        public ValueTask DisposeAsync()
        {
            listener.Abort(); // held POSTs end with their connections
            return ValueTask.CompletedTask;
        }

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }
    }
}
