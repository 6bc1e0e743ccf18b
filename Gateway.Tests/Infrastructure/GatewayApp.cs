using System.Net.Http.Headers;
using System.Security.Cryptography;
using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The real system, started by the real AppHost in local mode: PostgreSQL, Redis and Synapse as local programs,
/// the Api and the SyncWorker as their own processes. One per test collection, with its own state folder.
/// </summary>
public class GatewayApp : IAsyncLifetime
{
    public string ClientId { get; } = "test-admin";
    public string ClientSecret { get; } = Secrets.NewRandom();
    public SecretBox SecretBox { get; }
    public DistributedApplication App { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;
    public Uri HomeserverUrl { get; private set; } = null!;

    /// <summary>What the services exported as telemetry, for collections that ask for it (<see cref="CollectsTelemetry"/>).</summary>
    public TelemetryReceiver? Telemetry { get; private set; }

    /// <summary>How long a SyncWorker's leases last unrenewed under test (<c>Gateway:Sync:LeaseDuration</c>).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(10);

    /// <summary>The key the services start with (<c>Gateway:EncryptionKey</c>).</summary>
    public string EncryptionKey => encryptionKey;

    /// <summary>
    /// Environment the Api and the SyncWorker get on top of the AppHost's, read at each start: what an operator changes
    /// in a deployment's settings before restarting them.
    /// </summary>
    public Dictionary<string, string> ServiceEnvironment { get; } = [];

    private readonly string encryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly DirectoryInfo state = Directory.CreateTempSubdirectory("gateway-test-");
    private string databaseConnectionString = "";

    public GatewayApp() => SecretBox = new SecretBox(encryptionKey);

    /// <summary>Extra AppHost settings a collection needs (the sandbox, short QR windows, …).</summary>
    protected virtual IEnumerable<string> Settings => [];

    /// <summary>Whether the services export their traces and logs to <see cref="Telemetry"/>, as they would to a collector.</summary>
    protected virtual bool CollectsTelemetry => false;

    public AuthenticationHeaderValue SuperAdmin => Auth.Basic(ClientId, ClientSecret);

    public virtual async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("ASPIRE_ALLOW_UNSECURED_TRANSPORT", "true");
        // Postgres runs as the postgres user and must be able to reach its folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(state.FullName, (UnixFileMode)0b111_101_101);
        }
        string[] args =
        [
            "--Gateway:Infrastructure=local",
            $"--Gateway:StateDirectory={state.FullName}",
            "--Gateway:ApiPort=0",
            "--Gateway:Sandbox=false", // local mode brings the sandbox unless told not to; collections that drive it turn it on
            $"--CLIENT_ID={ClientId}",
            $"--CLIENT_SECRET={ClientSecret}",
            $"--GATEWAY_ENCRYPTION_KEY={encryptionKey}",
            // A killed worker's identities wait for its leases to lapse: 10 s here rather than 20, so tests that kill one
            // do not wait long, with renewals frequent enough that a loaded machine never lets a live lease lapse.
            $"--Gateway:Sync:LeaseDuration={LeaseDuration}",
            "--Gateway:Sync:LeaseRenewal=00:00:02",
            // A revoked identity whose bridge could not take its logouts is tried again within seconds, not a minute.
            "--Gateway:Tokens:RetireRetryInterval=00:00:02",
            .. Settings,
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Gateway_AppHost>(args);
        // No dashboard runs under test: exporting telemetry to it would make every process retry for ~10 s when it
        // stops, longer than a resource-stop waits. A collection that checks telemetry gets a receiver that outlives the app.
        Telemetry = CollectsTelemetry ? await TelemetryReceiver.StartAsync() : null;
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project).WithEnvironment(context =>
            {
                context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
                foreach (var (name, value) in ServiceEnvironment)
                {
                    context.EnvironmentVariables[name] = value;
                }
                if (Telemetry is not null)
                {
                    context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = Telemetry.Endpoint.ToString().TrimEnd('/');
                    context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                    context.EnvironmentVariables["OTEL_BSP_SCHEDULE_DELAY"] = "200"; // spans and logs leave within moments
                    context.EnvironmentVariables["OTEL_BLRP_SCHEDULE_DELAY"] = "200";
                    context.EnvironmentVariables["OTEL_METRIC_EXPORT_INTERVAL"] = "1000"; // and the figures every second
                }
            });
        }
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)); // servers are unhealthy until they are up
        App = await builder.BuildAsync();

        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await App.StartAsync(startup.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("api", startup.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("syncworker", startup.Token);

        Api = App.CreateHttpClient("api");
        HomeserverUrl = App.GetEndpoint("homeserver", "http");
        databaseConnectionString = (await App.GetConnectionStringAsync("postgres"))!;
    }

    /// <summary>The QR WebSocket's address with <paramref name="token"/> (a ticket or a Matrix token).</summary>
    public Uri QrSocketUrl(string token) =>
        new UriBuilder(Api.BaseAddress!) { Scheme = "ws", Path = "/api/v1/devices/qr-code", Query = $"token={token}" }.Uri;

    /// <summary>Kills a resource's process outright (SIGKILL) and waits until it is gone.</summary>
    public async Task KillAsync(string resource)
    {
        Assert.True(App.ResourceNotifications.TryGetCurrentState(resource, out var state), $"{resource} is not known");
        var pid = Convert.ToInt32(state!.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value);
        using var process = System.Diagnostics.Process.GetProcessById(pid);
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>Direct access to the gateway's database, to check what was (not) written.</summary>
    public GatewayDb OpenDb() =>
        new(new DbContextOptionsBuilder<GatewayDb>().UseNpgsql(databaseConnectionString).UseSnakeCaseNamingConvention().Options);

    public virtual async Task DisposeAsync()
    {
        Api?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        if (Telemetry is not null)
        {
            await Telemetry.DisposeAsync();
        }
        try
        {
            state.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A server may still be flushing its last file; the temp folder is cleaned by the OS eventually.
        }
    }
}
