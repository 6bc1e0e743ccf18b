using System.Security.Cryptography;
using System.Text;
using Gateway.Sandbox.Matrix;
using Gateway.Sandbox.Platforms;
using Microsoft.Extensions.Options;

namespace Gateway.Sandbox.Bridge;

/// <summary>The enabled platforms, each its own application service with its own tokens.</summary>
public sealed class Bridges
{
    private readonly Dictionary<string, PlatformBridge> byName = new(StringComparer.OrdinalIgnoreCase);

    public Bridges(IOptions<SandboxOptions> options, IOptions<HomeserverOptions> homeserver, IHttpClientFactory httpClients,
        FailureSwitches switches, TimeProvider clock, ILoggerFactory loggers)
    {
        var serverName = homeserver.Value.ServerName;
        foreach (var (name, platformOptions) in options.Value.Platforms.Where(p => p.Value.Enabled))
        {
            if (string.IsNullOrEmpty(platformOptions.AsToken) || string.IsNullOrEmpty(platformOptions.HsToken))
            {
                throw new InvalidOperationException(
                    $"Sandbox:Platforms:{name} is enabled but has no AsToken/HsToken: the AppHost writes them with the registration Synapse loads.");
            }
            var platform = new Platform(name, platformOptions, serverName);
            var matrix = new MatrixClient(httpClients.CreateClient("homeserver"), platformOptions.AsToken);
            byName[name] = new PlatformBridge(platform, matrix, switches, clock, loggers);
        }
    }

    public IReadOnlyCollection<PlatformBridge> All => byName.Values;

    public PlatformBridge? Find(string? platform) => byName.GetValueOrDefault(string.IsNullOrEmpty(platform) ? "wa" : platform);

    /// <summary>The bridge a homeserver transaction is for, by the hs_token it carries (compared in constant time).</summary>
    public PlatformBridge? ByHomeserverToken(string token)
    {
        var given = Encoding.UTF8.GetBytes(token);
        return byName.Values.FirstOrDefault(b =>
            CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(b.Platform.Options.HsToken)));
    }
}
