using System.Text.RegularExpressions;

namespace Gateway.Shared.Bridges;

/// <summary>
/// How to talk to one bridge (docs/bridge.md#settings). Configured under <c>Bridges:Platforms:{key}</c>; <c>wa</c> is always there.
/// </summary>
public sealed class BridgePlatform
{
    public string Key { get; set; } = "";
    /// <summary>The network's name as users know it, in errors (<c>Device … is logged out of WhatsApp</c>).</summary>
    public string NetworkName { get; set; } = "";
    /// <summary>The bot's localpart; its user id is <c>@{BotLocalpart}:{server}</c>.</summary>
    public string BotLocalpart { get; set; } = "";
    /// <summary>Ghost localparts are <c>{GhostPrefix}{remote id}</c>.</summary>
    public string GhostPrefix { get; set; } = "";
    /// <summary>Invite links to groups are https URLs on this host.</summary>
    public string InviteHost { get; set; } = "";
    /// <summary>How long the first QR code lives, then each refreshed one (the bridge's schedule).</summary>
    public int FirstQrSeconds { get; set; } = 60;
    public int QrRefreshSeconds { get; set; } = 20;
    /// <summary>How long a pending link waits for its scan: the whole QR schedule plus a margin.</summary>
    public int LinkWindowSeconds { get; set; } = 180;
    /// <summary>Whether the bridge links by pairing code too (<c>login phone +…</c>).</summary>
    public bool PairingCodes { get; set; }
    /// <summary>How long a pairing code can be entered: it is never refreshed, and the login waits as long as the whole QR schedule.</summary>
    public int PairingCodeSeconds { get; set; } = 160;

    public string BotUserId(string server) => $"@{BotLocalpart}:{server}";

    /// <summary>
    /// One of this bridge's ghosts: its namespace on the homeserver's own server (<paramref name="server"/>). Anyone
    /// elsewhere may pick a name that starts the same way; only the bridge can register one here.
    /// </summary>
    public bool IsGhost(string userId, string server) =>
        userId.StartsWith("@" + GhostPrefix, StringComparison.Ordinal) && userId.EndsWith(":" + server, StringComparison.Ordinal)
        && userId != BotUserId(server);

    public string GhostUserId(string remoteId, string server) => $"@{GhostPrefix}{remoteId}:{server}";

    /// <summary>The remote id in a ghost's user id: <c>@whatsapp_lid-123:server</c> → <c>lid-123</c>.</summary>
    public string GhostRemoteId(string ghostUserId) => ghostUserId[(GhostPrefix.Length + 1)..ghostUserId.LastIndexOf(':')];

    /// <summary>The bridges the gateway knows how to drive, with mautrix's default names.</summary>
    public static readonly IReadOnlyDictionary<string, BridgePlatform> Known = new Dictionary<string, BridgePlatform>
    {
        ["wa"] = new() { Key = "wa", NetworkName = "WhatsApp", BotLocalpart = "whatsappbot", GhostPrefix = "whatsapp_", InviteHost = "chat.whatsapp.com", PairingCodes = true },
        ["signal"] = new() { Key = "signal", NetworkName = "Signal", BotLocalpart = "signalbot", GhostPrefix = "signal_", InviteHost = "signal.group" },
        ["telegram"] = new() { Key = "telegram", NetworkName = "Telegram", BotLocalpart = "telegrambot", GhostPrefix = "telegram_", InviteHost = "t.me" },
    };

    /// <summary>Names left blank in configuration take the known platform's defaults.</summary>
    internal BridgePlatform WithDefaults(string key)
    {
        var defaults = Known.GetValueOrDefault(key);
        Key = key;
        NetworkName = NetworkName is "" ? defaults?.NetworkName ?? key : NetworkName;
        PairingCodes = PairingCodes || defaults?.PairingCodes == true;
        BotLocalpart = BotLocalpart is "" ? defaults?.BotLocalpart ?? $"{key}bot" : BotLocalpart;
        GhostPrefix = GhostPrefix is "" ? defaults?.GhostPrefix ?? $"{key}_" : GhostPrefix;
        InviteHost = InviteHost is "" ? defaults?.InviteHost ?? "" : InviteHost;
        return this;
    }
}

/// <summary>
/// <c>Bridges:Platforms:{key}</c>: each configured platform is accepted (its blank names from <see cref="BridgePlatform.Known"/>);
/// <c>wa</c> is always accepted.
/// </summary>
public sealed class BridgeOptions
{
    public const string Section = "Bridges";

    public Dictionary<string, BridgePlatform> Platforms { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long a request waits for the bot's answer to a command before failing that recipient.</summary>
    public int AnswerTimeoutSeconds { get; set; } = 30;

    public TimeSpan AnswerTimeout => TimeSpan.FromSeconds(AnswerTimeoutSeconds);

    private IReadOnlyDictionary<string, BridgePlatform>? all;

    public IReadOnlyDictionary<string, BridgePlatform> All() => all ??= Resolve();

    private Dictionary<string, BridgePlatform> Resolve()
    {
        var resolved = Platforms.ToDictionary(p => p.Key, p => p.Value.WithDefaults(p.Key), StringComparer.Ordinal);
        resolved.TryAdd("wa", new BridgePlatform().WithDefaults("wa"));
        return resolved;
    }
}
