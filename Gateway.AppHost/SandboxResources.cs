using System.Security.Cryptography;
using Aspire.Hosting.ApplicationModel;
using Gateway.AppHost.Matrix;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.AppHost;

/// <summary>
/// The sandbox bridge: a simulated WhatsApp (and, when enabled, Signal) bridge that joins the homeserver as a real
/// application service, as mautrix bridges do. <c>Gateway:Sandbox</c> turns it on or off; by default it runs where no
/// real bridge is (local mode), so that every way of starting the AppHost can link a phone.
/// </summary>
public static class SandboxResources
{
    private const string RegistrationPrefix = "sandbox-";

    /// <summary>What the console and the dashboard say, so nobody takes the sandbox for WhatsApp.</summary>
    public const string SimulatedBridgeNotice = "Sandbox bridge (simulated WhatsApp)";

    /// <summary>
    /// Writes one application-service registration per enabled platform into the homeserver's
    /// <c>appservices/</c> folder (Synapse loads them at start, so this runs before it starts), then adds the
    /// sandbox project with the matching tokens. Without the sandbox, registrations left by an earlier run are removed
    /// so the homeserver stops pushing events to a bridge that is not there.
    /// </summary>
    public static SandboxBridge? AddSandboxBridge(this IDistributedApplicationBuilder builder, GatewayInfrastructure infrastructure)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return null; // a deployment links real phones; nothing of the developer's state folder goes into it
        }
        var registrations = Path.Combine(InfrastructureExtensions.LocalStateDirectory(builder), "synapse", "appservices");
        if (Directory.Exists(registrations))
        {
            foreach (var stale in Directory.EnumerateFiles(registrations, RegistrationPrefix + "*.yaml"))
            {
                File.Delete(stale);
            }
        }
        if (!builder.Configuration.GetValue("Gateway:Sandbox", !infrastructure.HasBridge))
        {
            return null;
        }
        Directory.CreateDirectory(registrations);

        var port = builder.Configuration.GetValue<int?>("Gateway:SandboxPort") ?? 8081;
        if (port == 0)
        {
            port = InfrastructureExtensions.FreeTcpPort();
        }
        var sandbox = builder.AddProject<Projects.Gateway_Sandbox>("sandbox", launchProfileName: null)
            .WithHttpEndpoint(port: port, targetPort: port, isProxied: false)
            .WithEnvironment("Matrix__HomeserverUrl", infrastructure.Homeserver.Url)
            .WithEnvironment("Matrix__ServerName", infrastructure.Homeserver.ServerName)
            .WithEnvironment("Sandbox__StateFile", Path.Combine(InfrastructureExtensions.LocalStateDirectory(builder), "sandbox", "state.json"))
            .WithHttpHealthCheck("/health")
            .WithUrlForEndpoint("http", url => url.DisplayText = $"{SimulatedBridgeNotice}: {url.Url}");
        builder.Eventing.Subscribe<BeforeStartEvent>((start, _) =>
        {
            start.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.AppHost")
                .LogWarning("{Notice}: phones are simulated (Gateway:Sandbox=false turns it off).", SimulatedBridgeNotice);
            return Task.CompletedTask;
        });
        if (infrastructure.Homeserver.Resource is { } homeserver)
        {
            sandbox.WaitFor(homeserver);
        }

        // Everything under the AppHost's Sandbox section reaches the sandbox as is (QR schedule, platforms, …).
        sandbox.WithConfigurationSection(builder.Configuration, "Sandbox");

        var platforms = EnabledPlatforms(builder, sandbox.Resource).ToList();
        foreach (var platform in platforms)
        {
            var id = RegistrationPrefix + platform.Name;
            var asToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var hsToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var registration = AppServiceRegistrationYaml.Render(new(id, InfrastructureExtensions.Literal($"http://127.0.0.1:{port}"),
                InfrastructureExtensions.Literal(asToken), InfrastructureExtensions.Literal(hsToken), platform.BotLocalpart,
                platform.GhostTemplate.Split("{id}")[0], infrastructure.Homeserver.ServerName));
            var path = Path.Combine(registrations, id + ".yaml");
            // Before anything starts: Synapse loads its registrations at start (its homeserver.yaml lists this folder's files).
            builder.Eventing.Subscribe<BeforeStartEvent>(async (_, cancellationToken) =>
                await File.WriteAllTextAsync(path, await registration.GetValueAsync(cancellationToken), cancellationToken));
            var prefix = $"Sandbox__Platforms__{platform.Name}__";
            sandbox.WithEnvironment(prefix + "AppServiceId", id)
                .WithEnvironment(prefix + "AsToken", asToken)
                .WithEnvironment(prefix + "HsToken", hsToken);
        }
        return new SandboxBridge(sandbox, platforms);
    }

    /// <summary>
    /// The gateway drives the sandbox's platforms and expects its QR schedule (for <c>expires_in</c> and for how long a
    /// link may wait): the same settings reach the Api and the SyncWorker as <c>Bridges:Platforms</c>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBridgesOf(this IResourceBuilder<ProjectResource> project, SandboxBridge? sandbox)
    {
        foreach (var platform in sandbox?.Platforms ?? [])
        {
            var prefix = $"Bridges__Platforms__{platform.Name}__";
            var schedule = platform.FirstQrSeconds + platform.QrRefreshSeconds * platform.QrRefreshes; // a pairing code waits as long
            var window = schedule + 20; // + time to report the outcome
            project.WithEnvironment(prefix + "BotLocalpart", platform.BotLocalpart)
                .WithEnvironment(prefix + "GhostPrefix", platform.GhostTemplate.Split("{id}")[0])
                .WithEnvironment(prefix + "FirstQrSeconds", platform.FirstQrSeconds.ToString())
                .WithEnvironment(prefix + "QrRefreshSeconds", platform.QrRefreshSeconds.ToString())
                .WithEnvironment(prefix + "PairingCodeSeconds", schedule.ToString())
                .WithEnvironment(prefix + "LinkWindowSeconds", window.ToString());
        }
        return project;
    }

    public sealed record SandboxPlatform(string Name, string BotLocalpart, string GhostTemplate, int FirstQrSeconds, int QrRefreshSeconds, int QrRefreshes);

    /// <summary>
    /// The sandbox's own appsettings.json holds each platform's defaults (bot and ghost names); the AppHost's
    /// Sandbox section overrides them, exactly as the sandbox will see it, so registration and bridge agree.
    /// </summary>
    private static IEnumerable<SandboxPlatform> EnabledPlatforms(IDistributedApplicationBuilder builder, ProjectResource sandbox)
    {
        var projectDirectory = Path.GetDirectoryName(sandbox.GetProjectMetadata().ProjectPath)!;
        var settings = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(projectDirectory, "appsettings.json"), optional: false)
            .AddInMemoryCollection(builder.Configuration.GetSection("Sandbox").AsEnumerable()
                .Where(pair => pair.Value is not null))
            .Build();
        foreach (var platform in settings.GetSection("Sandbox:Platforms").GetChildren())
        {
            if (platform.GetValue<bool>("Enabled"))
            {
                yield return new SandboxPlatform(platform.Key,
                    platform["BotLocalpart"] ?? throw new InvalidOperationException($"Sandbox:Platforms:{platform.Key}:BotLocalpart is not set."),
                    platform["GhostTemplate"] ?? throw new InvalidOperationException($"Sandbox:Platforms:{platform.Key}:GhostTemplate is not set."),
                    platform.GetValue<int>("FirstQrSeconds"), platform.GetValue<int>("QrRefreshSeconds"), platform.GetValue<int>("QrRefreshes"));
            }
        }
    }
}

/// <summary>The sandbox resource and the platforms it plays.</summary>
public sealed record SandboxBridge(IResourceBuilder<ProjectResource> Resource, IReadOnlyList<SandboxResources.SandboxPlatform> Platforms);
