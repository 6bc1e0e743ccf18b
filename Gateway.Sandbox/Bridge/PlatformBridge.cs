using System.Text.Json.Nodes;
using Gateway.Sandbox.Matrix;
using Gateway.Sandbox.Platforms;

namespace Gateway.Sandbox.Bridge;

/// <summary>Everything one simulated bridge (one platform, one application service) holds.</summary>
public sealed class PlatformBridge
{
    public PlatformBridge(Platform platform, MatrixClient matrix, FailureSwitches switches, TimeProvider clock, ILoggerFactory loggers)
    {
        Platform = platform;
        Matrix = matrix;
        Ghosts = new Ghosts(platform, matrix);
        Portals = new Portals(platform, matrix, Ghosts, loggers.CreateLogger<Portals>());
        Sent = new SentMessages(platform.Name, clock);
        QrLogins = new QrLogins(this, switches, loggers.CreateLogger<QrLogins>());
    }

    public Platform Platform { get; }
    public MatrixClient Matrix { get; }
    public Ghosts Ghosts { get; }
    public Logins Logins { get; } = new();
    public Portals Portals { get; }
    public SentMessages Sent { get; }
    public QrLogins QrLogins { get; }

    /// <summary>The bot says something in a room (its replies are notices, like every mautrix bot's).</summary>
    public Task<string> SayAsync(string roomId, JsonObject content) =>
        Matrix.SendAsync(null, roomId, "m.room.message", content, CancellationToken.None);
}
