using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Gateway.AppHost;

/// <summary>
/// The sandbox bridge (<c>Gateway:Sandbox=true</c>): a simulated WhatsApp (and, when enabled, Signal) bridge that
/// joins the homeserver as a real application service, as mautrix bridges do.
/// </summary>
public static class SandboxResources
{
    private const string ServerName = "localhost"; // scripts/local/synapse.sh's server_name
    private const string RegistrationPrefix = "sandbox-";

    /// <summary>
    /// Writes one application-service registration per enabled platform into the homeserver's
    /// <c>appservices/</c> folder (Synapse loads them at start, so this runs before it starts), then adds the
    /// sandbox project with the matching tokens. Without the sandbox, registrations left by an earlier run are removed
    /// so the homeserver stops pushing events to a bridge that is not there.
    /// </summary>
    public static IResourceBuilder<ProjectResource>? AddSandboxBridge(this IDistributedApplicationBuilder builder, GatewayInfrastructure infrastructure)
    {
        var registrations = Path.Combine(StateDirectory(builder), "synapse", "appservices");
        if (Directory.Exists(registrations))
        {
            foreach (var stale in Directory.EnumerateFiles(registrations, RegistrationPrefix + "*.yaml"))
            {
                File.Delete(stale);
            }
        }
        if (!builder.Configuration.GetValue<bool>("Gateway:Sandbox"))
        {
            return null;
        }
        Directory.CreateDirectory(registrations);

        var port = builder.Configuration.GetValue<int?>("Gateway:SandboxPort") ?? 8081;
        if (port == 0)
        {
            port = FreeTcpPort();
        }
        var sandbox = builder.AddProject<Projects.Gateway_Sandbox>("sandbox", launchProfileName: null)
            .WithHttpEndpoint(port: port, targetPort: port, isProxied: false)
            .WithEnvironment("Matrix__HomeserverUrl", infrastructure.Homeserver.Url)
            .WithEnvironment("Matrix__ServerName", ServerName)
            .WithEnvironment("Sandbox__StateFile", Path.Combine(StateDirectory(builder), "sandbox", "state.json"))
            .WithHttpHealthCheck("/health");
        if (infrastructure.Homeserver.Resource is { } homeserver)
        {
            sandbox.WaitFor(homeserver);
        }

        // Everything under the AppHost's Sandbox section reaches the sandbox as is (QR schedule, platforms, …).
        foreach (var (key, value) in builder.Configuration.GetSection("Sandbox").AsEnumerable())
        {
            if (value is not null)
            {
                sandbox.WithEnvironment(key.Replace(":", "__"), value);
            }
        }

        foreach (var platform in EnabledPlatforms(builder, sandbox.Resource))
        {
            var id = RegistrationPrefix + platform.Name;
            var asToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var hsToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            File.WriteAllText(Path.Combine(registrations, id + ".yaml"), Registration(id, $"http://127.0.0.1:{port}", asToken, hsToken, platform));
            var prefix = $"Sandbox__Platforms__{platform.Name}__";
            sandbox.WithEnvironment(prefix + "AppServiceId", id)
                .WithEnvironment(prefix + "AsToken", asToken)
                .WithEnvironment(prefix + "HsToken", hsToken);
        }
        return sandbox;
    }

    private sealed record PlatformNames(string Name, string BotLocalpart, string GhostTemplate);

    /// <summary>
    /// The sandbox's own appsettings.json holds each platform's defaults (bot and ghost names); the AppHost's
    /// Sandbox section overrides them, exactly as the sandbox will see it, so registration and bridge agree.
    /// </summary>
    private static IEnumerable<PlatformNames> EnabledPlatforms(IDistributedApplicationBuilder builder, ProjectResource sandbox)
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
                yield return new PlatformNames(platform.Key,
                    platform["BotLocalpart"] ?? throw new InvalidOperationException($"Sandbox:Platforms:{platform.Key}:BotLocalpart is not set."),
                    platform["GhostTemplate"] ?? throw new InvalidOperationException($"Sandbox:Platforms:{platform.Key}:GhostTemplate is not set."));
            }
        }
    }

    /// <summary>
    /// A Matrix application-service registration: the bot as sender, and exclusive namespaces so only the bridge can
    /// create users named like its bot and ghosts.
    /// </summary>
    private static string Registration(string id, string url, string asToken, string hsToken, PlatformNames platform)
    {
        var ghost = platform.GhostTemplate.Split("{id}");
        var server = Regex.Escape(ServerName);
        var yaml = new StringBuilder()
            .AppendLine("# Written by the AppHost at every start (SandboxResources.cs); Synapse loads it through scripts/local/synapse.sh.")
            .AppendLine($"id: '{id}'")
            .AppendLine($"url: '{url}'")
            .AppendLine($"as_token: '{asToken}'")
            .AppendLine($"hs_token: '{hsToken}'")
            .AppendLine($"sender_localpart: '{platform.BotLocalpart}'")
            .AppendLine("rate_limited: false")
            .AppendLine("namespaces:")
            .AppendLine("  users:")
            .AppendLine($"    - {{ exclusive: true, regex: '^@{Regex.Escape(platform.BotLocalpart)}:{server}$' }}")
            .AppendLine($"    - {{ exclusive: true, regex: '^@{Regex.Escape(ghost[0])}.+{Regex.Escape(ghost.ElementAtOrDefault(1) ?? "")}:{server}$' }}")
            .AppendLine("  aliases: []")
            .AppendLine("  rooms: []");
        return yaml.ToString();
    }

    /// <summary>The same folder InfrastructureExtensions keeps local state in (<c>Gateway:StateDirectory</c>, else <c>.state/</c>).</summary>
    private static string StateDirectory(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["Gateway:StateDirectory"];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(builder.AppHostDirectory, "..", "..", ".state")
            : configured);
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
