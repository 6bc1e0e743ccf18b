using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Sandbox.Platforms;
using Microsoft.Extensions.Options;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// Logins and portals survive a restart in one JSON file (<c>Sandbox:StateFile</c>), as a real bridge keeps them in
/// its database: the gateway and the homeserver still know the devices and rooms, so the bridge must too.
/// Pending QR logins, sent-message records and switches stay in memory only.
/// </summary>
public sealed class BridgeStateFile(IOptions<SandboxOptions> options, Bridges bridges, ILogger<BridgeStateFile> logger)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
    private readonly object gate = new();

    private sealed record PlatformState(List<Login> Logins, List<Portal> Portals);

    /// <summary>Loads what an earlier run saved, then saves after every change.</summary>
    public void Attach()
    {
        if (options.Value.StateFile is not { Length: > 0 } path)
        {
            return;
        }
        if (File.Exists(path))
        {
            var saved = JsonSerializer.Deserialize<Dictionary<string, PlatformState>>(File.ReadAllText(path), Json) ?? [];
            foreach (var bridge in bridges.All)
            {
                if (saved.TryGetValue(bridge.Platform.Name, out var state))
                {
                    bridge.Logins.Restore(state.Logins);
                    bridge.Portals.Restore(state.Portals);
                    logger.LogInformation("{Platform}: restored {Logins} logins and {Portals} portals", bridge.Platform.Name, state.Logins.Count, state.Portals.Count);
                }
            }
        }
        foreach (var bridge in bridges.All)
        {
            bridge.Logins.Changed += () => Save(path);
            bridge.Portals.Changed += () => Save(path);
        }
    }

    private void Save(string path)
    {
        lock (gate)
        {
            var state = bridges.All.ToDictionary(b => b.Platform.Name, b => new PlatformState([.. b.Logins.All], [.. b.Portals.All]));
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(state, Json));
            File.Move(temporary, path, overwrite: true); // a crash mid-write leaves the previous file whole
        }
    }
}
