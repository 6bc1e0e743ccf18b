using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Gateway.Shared.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Bench;

/// <summary>A linked device and a contact it has already messaged: the state a steady sender is in.</summary>
public sealed record BenchTarget(string GatewayToken, string DeviceId, string Contact, string RoomId, string MatrixAccessToken, LinkTimes Link);

/// <summary>How long linking took: from POST /devices to the first QR frame, and from the scan to the success frame.</summary>
public sealed record LinkTimes(TimeSpan FirstQr, TimeSpan ScanToSuccess);

/// <summary>The real system started by the AppHost in local mode with the sandbox bridge, in a throwaway state folder.</summary>
public sealed class BenchSystem : IAsyncDisposable
{
    private readonly DistributedApplication app;
    private readonly DirectoryInfo state;
    private readonly SecretBox secretBox;
    private const string ClientId = "bench-admin";
    private static readonly string ClientSecret = Secrets.NewRandom();

    public HttpClient Api { get; }
    public HttpClient Homeserver { get; }
    /// <summary>The gateway's own Matrix client over <see cref="Homeserver"/>: the direct path and the bare /sync baseline.</summary>
    public MatrixClient Matrix { get; }
    public HttpClient Sandbox { get; }

    private BenchSystem(DistributedApplication app, DirectoryInfo state, SecretBox secretBox)
    {
        (this.app, this.state, this.secretBox) = (app, state, secretBox);
        Replicas = new Replicas(app);
        // Both paths go through the same plain client, so neither pays for handlers the other skips.
        Api = new HttpClient { BaseAddress = app.GetEndpoint("api", "http") };
        Homeserver = new HttpClient { BaseAddress = app.GetEndpoint("homeserver", "http") };
        Matrix = new MatrixClient(Homeserver);
        Sandbox = app.CreateHttpClient("sandbox");
    }

    /// <summary>Each replica's latest state (instance ids like <c>syncworker-abcd</c>), followed from the start.</summary>
    public Replicas Replicas { get; }

    /// <summary>Synapse's process and, when the system was started with its access log, the /sync requests it answered.</summary>
    public Homeserver HomeserverSide => new(Path.Combine(state.FullName, "synapse", "access.log"));

    /// <param name="settings">More AppHost settings, e.g. <c>--Gateway:SyncWorkerReplicas=2</c>.</param>
    public static Task<BenchSystem> StartAsync(params string[] settings) => StartAsync(homeserverAccessLog: false, settings);

    /// <param name="homeserverAccessLog">Whether Synapse writes its access log, for <see cref="HomeserverSide"/> to count requests in.</param>
    public static async Task<BenchSystem> StartAsync(bool homeserverAccessLog, params string[] settings)
    {
        Environment.SetEnvironmentVariable("ASPIRE_ALLOW_UNSECURED_TRANSPORT", "true");
        var state = Directory.CreateTempSubdirectory("gateway-bench-");
        File.SetUnixFileMode(state.FullName, (UnixFileMode)0b111_101_101); // postgres runs as its own user
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Gateway_AppHost>(
        [
            "--Gateway:Infrastructure=local", "--Gateway:Sandbox=true", "--Gateway:AllowPrivateWebhooks=true", "--Gateway:Webhooks:MaxPerToken=50", "--Gateway:Tokens:MaxPerCredential=10000", "--Gateway:ApiPort=0", "--Gateway:SandboxPort=0",
            $"--Gateway:StateDirectory={state.FullName}", $"--CLIENT_ID={ClientId}", $"--CLIENT_SECRET={ClientSecret}",
            $"--GATEWAY_ENCRYPTION_KEY={key}", .. settings,
        ]);
        // No dashboard runs here: exporting telemetry to it would only burn the CPU being measured.
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project).WithEnvironment(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT"));
        }
        if (homeserverAccessLog)
        {
            builder.CreateResourceBuilder(builder.Resources.OfType<ExecutableResource>().Single(r => r.Name == "homeserver")).WithEnvironment("SYNAPSE_ACCESS_LOG", "1");
        }
        // BENCH_SYNCWORKER_HEAP_MB caps the worker's managed heap, as a container's memory limit would: what it needs,
        // rather than what a collector with 24 GB to spare lets it grow to.
        if (int.TryParse(Environment.GetEnvironmentVariable("BENCH_SYNCWORKER_HEAP_MB"), out var heapMb) && heapMb > 0)
        {
            var worker = builder.Resources.OfType<ProjectResource>().Single(p => p.Name == "syncworker");
            builder.CreateResourceBuilder(worker).WithEnvironment("DOTNET_GCHeapHardLimit", ((long)heapMb * 1024 * 1024).ToString("X"));
        }
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Error).AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
            // The servers' own output (Synapse's access log arrives on stderr, as errors) would drown the numbers.
            .AddFilter("Gateway.AppHost.Resources", LogLevel.Critical)
            .AddFilter("System.Net.Http", LogLevel.Warning));
        var app = await builder.BuildAsync();
        await app.StartAsync();
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api");
        await app.ResourceNotifications.WaitForResourceHealthyAsync("syncworker");
        await app.ResourceNotifications.WaitForResourceHealthyAsync("sandbox");
        return new BenchSystem(app, state, new SecretBox(key));
    }

    public async Task<BenchTarget> LinkDeviceAndResolveContactAsync()
    {
        const string phone = "237600000001";
        var (token, linkTimes) = await NewTenantAsync(phone);
        const string contact = "237600000002";
        await PostJsonAsync(Api, $"/api/v1/devices/{phone}/message", new AuthenticationHeaderValue("Bearer", token),
            new { contact, platform = "wa", text = "first message: resolves the contact" });

        await using var db = await OpenDatabaseAsync();
        var room = await db.BridgeRooms.Include(r => r.Identity).SingleAsync(r => r.Kind == BridgeRoomKind.Contact && r.RemoteId == contact);
        return new BenchTarget(token, phone, contact, room.RoomId, secretBox.Open(room.Identity.AccessTokenCipher), linkTimes);
    }

    /// <summary>A new token (so a Matrix identity of its own) with a phone linked to it: a tenant, as far as delivery is concerned.</summary>
    public async Task<(string Token, LinkTimes Link)> NewTenantAsync(string phone)
    {
        var token = await NewIdentityAsync();
        var linkClock = System.Diagnostics.Stopwatch.StartNew();
        var started = await PostJsonAsync(Api, "/api/v1/devices", new AuthenticationHeaderValue("Bearer", token), new { platform = "wa" });

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(started["qr_code_url"]!.GetValue<string>()), CancellationToken.None);
        TimeSpan firstQr = default, scanned = default;
        while (true)
        {
            var frame = await ReadFrameAsync(socket);
            if (frame["type"]!.GetValue<string>() == "qr")
            {
                firstQr = firstQr == default ? linkClock.Elapsed : firstQr;
                scanned = linkClock.Elapsed;
                (await Sandbox.PostAsJsonAsync("/sandbox/scan", new { code = frame["code"]!.GetValue<string>(), phone })).EnsureSuccessStatusCode();
            }
            else if (frame["type"]!.GetValue<string>() == "success")
            {
                return (token, new LinkTimes(firstQr, linkClock.Elapsed - scanned));
            }
            else
            {
                throw new InvalidOperationException($"Linking failed: {frame.ToJsonString()}");
            }
        }
    }

    /// <summary>A new token with a Matrix identity of its own (use_host=false) and nothing linked: an idle identity.</summary>
    public async Task<string> NewIdentityAsync()
    {
        var admin = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}")));
        var created = await PostJsonAsync(Api, "/api/v1/tokens", admin, new { use_host = false });
        return created["token"]!.GetValue<string>();
    }

    /// <summary>The identity's Matrix access token, for a bare /sync client of the same user.</summary>
    public async Task<string> AccessTokenOfAsync(int identityId)
    {
        await using var db = await OpenDatabaseAsync();
        return secretBox.Open(await db.MatrixIdentities.Where(i => i.Id == identityId).Select(i => i.AccessTokenCipher).SingleAsync());
    }

    public async Task<int> IdentityIdOfAsync(string token)
    {
        await using var db = await OpenDatabaseAsync();
        var hash = Secrets.Hash(token);
        return await db.Tokens.Where(t => t.TokenHash == hash).Select(t => t.IdentityId).SingleAsync();
    }

    /// <summary>Every identity, and the holder of its lease while that holder is seen within a lease (SyncOptions' 20 s, by the database's clock; else null).</summary>
    public async Task<Dictionary<int, string?>> LeaseHoldersAsync()
    {
        await using var db = await OpenDatabaseAsync();
        var rows = await db.Database.SqlQuery<LeaseRow>(
            $"""
            SELECT i.id, w.name AS holder FROM matrix_identities i
            LEFT JOIN sync_workers w ON w.name = i.sync_lease_holder AND w.seen_at > now() - interval '20 seconds'
            """).ToListAsync();
        return rows.ToDictionary(r => r.Id, r => r.Holder);
    }

    private sealed record LeaseRow(int Id, string? Holder);

    public sealed record DatabaseCounters(long IdentityUpdates, long WorkerUpdates, long Commits);

    /// <summary>PostgreSQL's own statistics: rows updated (HOT or not) in the two lease tables, transactions committed in the gateway's database.</summary>
    public async Task<DatabaseCounters> DatabaseCountersAsync()
    {
        await using var db = await OpenDatabaseAsync();
        await db.Database.ExecuteSqlRawAsync("SELECT pg_stat_force_next_flush()"); // counters reach the views at most once a second otherwise
        await Task.Delay(1100);
        return (await db.Database.SqlQuery<DatabaseCounters>(
            $"""
            SELECT (SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'matrix_identities') AS identity_updates,
                   (SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'sync_workers') AS worker_updates,
                   (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits
            """).ToListAsync()).Single();
    }

    /// <summary>Creates a webhook for the token.</summary>
    public Task AddWebhookAsync(string token, string url) =>
        PostJsonAsync(Api, "/api/v1/webhooks", new AuthenticationHeaderValue("Bearer", token), new { url });

    /// <summary>The SyncWorker's process (this checkout's build), to read its memory.</summary>
    public static System.Diagnostics.Process? SyncWorkerProcess()
    {
        var checkout = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        foreach (var process in System.Diagnostics.Process.GetProcesses())
        {
            try
            {
                var commandLine = File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
                // The built worker itself, not the `dotnet run` that launched it.
                if (commandLine.Contains(Path.Combine(checkout, "Gateway.SyncWorker", "bin"), StringComparison.Ordinal) && !commandLine.Contains(" run "))
                {
                    return process;
                }
            }
            catch (IOException)
            {
                // gone meanwhile
            }
        }
        return null;
    }

    /// <summary>When each event's delivery row was written: the sync side is done with it.</summary>
    public async Task<Dictionary<string, DateTime>> DeliveryRowTimesAsync()
    {
        await using var db = await OpenDatabaseAsync();
        return await db.WebhookDeliveries.AsNoTracking().ToDictionaryAsync(d => d.EventId, d => d.CreatedAt);
    }

    private async Task<GatewayDb> OpenDatabaseAsync() =>
        new(new DbContextOptionsBuilder<GatewayDb>()
            .UseNpgsql(await app.GetConnectionStringAsync("postgres")).UseSnakeCaseNamingConvention().Options);

    private static async Task<JsonNode> PostJsonAsync(HttpClient http, string path, AuthenticationHeaderValue auth, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Headers = { Authorization = auth }, Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {text}");
        }
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> ReadFrameAsync(ClientWebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count))!;
    }

    public async ValueTask DisposeAsync()
    {
        await Replicas.DisposeAsync();
        Api.Dispose();
        Homeserver.Dispose();
        Sandbox.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        state.Delete(recursive: true);
    }
}
