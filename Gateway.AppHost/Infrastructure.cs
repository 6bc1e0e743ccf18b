using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Aspire.Hosting.ApplicationModel;
using Gateway.AppHost.Matrix;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.AppHost;

/// <summary>
/// What the gateway's services stand on: a database, Redis, and a Matrix homeserver, and whether a real bridge is
/// registered with it (local mode has none: only the sandbox can play one there).
/// </summary>
public sealed record GatewayInfrastructure(
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    Homeserver Homeserver,
    bool HasBridge = true);

/// <summary>The key stored secrets are sealed with, and the ones it replaced (comma-separated, usually empty).</summary>
public sealed record EncryptionKeys(IResourceBuilder<ParameterResource> Current, IResourceBuilder<ParameterResource> Previous);

/// <summary>A Matrix homeserver: its client-server URL, the secret for admin registration of users, and its server name.</summary>
public sealed record Homeserver(IResourceBuilder<IResource>? Resource, ReferenceExpression Url, ReferenceExpression RegistrationSecret, string ServerName);

public static class InfrastructureExtensions
{
    /// <summary>
    /// Picks the infrastructure by <c>Gateway:Infrastructure</c>: <c>containers</c> (the whole system as containers:
    /// Postgres, Redis, Synapse and mautrix-whatsapp; <see cref="ContainerInfrastructure"/>), <c>local</c> (postgres,
    /// redis-server and Synapse run as local programs, no container runtime), or <c>auto</c> (containers when a
    /// container runtime answers, else local). Publishing (azd's manifest) always builds the containers, whatever the
    /// machine has: local programs cannot be deployed.
    /// </summary>
    public static GatewayInfrastructure AddGatewayInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var mode = builder.ExecutionContext.IsPublishMode ? "containers" : builder.Configuration["Gateway:Infrastructure"] ?? "auto";
        if (mode == "auto")
        {
            mode = ContainerRuntimeAnswers() ? "containers" : "local";
        }
        return mode switch
        {
            "local" => builder.AddLocalInfrastructure(),
            "containers" => ContainerInfrastructure.AddContainerInfrastructure(builder, ServerName(builder)),
            _ => throw new InvalidOperationException($"Gateway:Infrastructure must be auto, containers or local, not '{mode}'."),
        };
    }

    /// <summary>What the Api and the SyncWorker both stand on, and the settings they share.</summary>
    public static IResourceBuilder<ProjectResource> WithGatewayDependencies(this IResourceBuilder<ProjectResource> project,
        IConfiguration configuration, GatewayInfrastructure infrastructure, EncryptionKeys encryptionKeys, SandboxBridge? sandbox) =>
        project
            .WithReference(infrastructure.Database, "gateway").WaitFor(infrastructure.Database)
            .WithReference(infrastructure.Redis, "redis").WaitFor(infrastructure.Redis)
            .WithHomeserver(infrastructure.Homeserver)
            .WithEnvironment("Gateway__EncryptionKey", encryptionKeys.Current)
            .WithEnvironment("Gateway__PreviousEncryptionKeys", encryptionKeys.Previous)
            .WithBridgesOf(sandbox)
            .WithWebhookSettings(configuration)
            .WithHttpHealthCheck("/health");

    public static IResourceBuilder<ProjectResource> WithHomeserver(this IResourceBuilder<ProjectResource> project, Homeserver homeserver)
    {
        project
            .WithEnvironment("Matrix__HomeserverUrl", homeserver.Url)
            .WithEnvironment("Matrix__RegistrationSharedSecret", homeserver.RegistrationSecret);
        if (homeserver.Resource is { } resource)
        {
            project.WaitFor(resource);
        }
        return project;
    }

    /// <summary>
    /// The Matrix server name (<c>Gateway:ServerName</c>, default <c>localhost</c>): the part after the colon in every
    /// user id. It can never change once the homeserver has started.
    /// </summary>
    private static string ServerName(IDistributedApplicationBuilder builder) =>
        builder.Configuration["Gateway:ServerName"] is { Length: > 0 } name ? name : "localhost";

    private static GatewayInfrastructure AddLocalInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var scripts = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "scripts", "local"));
        var state = LocalStateDirectory(builder);

        var postgresPort = FreeTcpPort();
        var postgres = builder.AddResource(new LocalServerResource("postgres", "bash", scripts,
                $"Host=127.0.0.1;Port={postgresPort};Username=postgres;Database=gateway"))
            .WithArgs(Path.Combine(scripts, "postgres.sh"), Path.Combine(state, "postgres"), postgresPort.ToString())
            .WithHealthCheckOf(builder, "postgres", checks => checks.AddNpgSql(
                $"Host=127.0.0.1;Port={postgresPort};Username=postgres;Database=postgres", name: "postgres-ready"));

        var redisPort = FreeTcpPort();
        var redis = builder.AddResource(new LocalServerResource("redis", "bash", scripts, $"127.0.0.1:{redisPort}"))
            .WithArgs(Path.Combine(scripts, "redis.sh"), Path.Combine(state, "redis"), redisPort.ToString())
            .WithHealthCheckOf(builder, "redis", checks => checks.AddRedis($"127.0.0.1:{redisPort}", name: "redis-ready"));

        var homeserverPort = FreeTcpPort();
        var homeserverDirectory = Path.Combine(state, "synapse");
        var secret = LocalSecret(homeserverDirectory, "registration_shared_secret");
        var homeserver = builder.AddExecutable("homeserver", "bash", scripts, Path.Combine(scripts, "synapse.sh"), homeserverDirectory)
            .WithHttpEndpoint(port: homeserverPort, targetPort: homeserverPort, isProxied: false)
            .WithHttpHealthCheck("/health");
        // Written just before Synapse starts, so it lists the registrations the sandbox wrote (at BeforeStart).
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(homeserver.Resource, async (_, cancellationToken) =>
        {
            var registrations = Directory.Exists(Path.Combine(homeserverDirectory, "appservices"))
                ? Directory.EnumerateFiles(Path.Combine(homeserverDirectory, "appservices"), "*.yaml").Order().Select(f => "/data/appservices/" + Path.GetFileName(f))
                : [];
            var yaml = HomeserverYaml.Render(new HomeserverYaml.Settings(LocalServerName, "127.0.0.1", homeserverPort, "/data",
                new SynapseDatabase.Sqlite("/data/homeserver.db"), Literal(secret), Literal(secret + "-macaroon"), Literal(secret + "-form"),
                [.. registrations], LogConfig: "/data/log.yaml"));
            await File.WriteAllTextAsync(Path.Combine(homeserverDirectory, "homeserver.yaml"), await yaml.GetValueAsync(cancellationToken), cancellationToken);
        });

        return new(postgres, redis, new Homeserver(homeserver,
            ReferenceExpression.Create($"http://127.0.0.1:{homeserverPort.ToString()}"),
            ReferenceExpression.Create($"{secret}"), LocalServerName), HasBridge: false);
    }

    /// <summary>Local mode's homeserver is only ever reached on this machine.</summary>
    public const string LocalServerName = "localhost";

    public static ReferenceExpression Literal(string value) => ReferenceExpression.Create($"{value}");

    private static IResourceBuilder<T> WithHealthCheckOf<T>(this IResourceBuilder<T> resource, IDistributedApplicationBuilder builder,
        string name, Action<IHealthChecksBuilder> register) where T : IResource
    {
        register(builder.Services.AddHealthChecks());
        return resource.WithHealthCheck($"{name}-ready");
    }

    /// <summary>Local state (databases, keys) lives under <c>Gateway:StateDirectory</c>, by default <c>.state/</c> in the repository.</summary>
    internal static string LocalStateDirectory(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["Gateway:StateDirectory"];
        var state = string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(builder.AppHostDirectory, "..", ".state")
            : configured;
        state = Path.GetFullPath(state);
        Directory.CreateDirectory(state);
        return state;
    }

    /// <summary>A secret generated on first use and kept beside the state it protects, so a restart finds it again.</summary>
    private static string LocalSecret(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        }
        return File.ReadAllText(path).Trim();
    }

    internal static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool ContainerRuntimeAnswers()
    {
        try
        {
            using var info = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("docker", "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            return info is not null && info.WaitForExit(TimeSpan.FromSeconds(5)) && info.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no docker client at all
        }
    }
}

/// <summary>A server started as a local program (no container) that other resources reach by connection string.</summary>
public sealed class LocalServerResource(string name, string command, string workingDirectory, string connectionString)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public ReferenceExpression ConnectionStringExpression { get; } = ReferenceExpression.Create($"{connectionString}");
}
