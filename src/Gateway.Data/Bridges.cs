using System.Text.RegularExpressions;

namespace Gateway.Data;

/// <summary>
/// How to talk to one bridge (BRIDGE.md). Configured under <c>Bridges:Platforms:{key}</c>; <c>wa</c> is always there.
/// </summary>
public sealed class BridgePlatform
{
    public string Key { get; set; } = "";
    /// <summary>The bot's localpart; its user id is <c>@{BotLocalpart}:{server}</c>.</summary>
    public string BotLocalpart { get; set; } = "";
    /// <summary>Ghost localparts are <c>{GhostPrefix}{remote id}</c>.</summary>
    public string GhostPrefix { get; set; } = "";
    public string ProtocolId { get; set; } = "";
    /// <summary>Invite links to groups are https URLs on this host.</summary>
    public string InviteHost { get; set; } = "";
    /// <summary>How long the first QR code lives, then each refreshed one (the bridge's schedule).</summary>
    public int FirstQrSeconds { get; set; } = 60;
    public int QrRefreshSeconds { get; set; } = 20;
    /// <summary>How long a pending link waits for its scan: the whole QR schedule plus a margin.</summary>
    public int LinkWindowSeconds { get; set; } = 180;

    public string BotUserId(string server) => $"@{BotLocalpart}:{server}";

    public bool IsGhost(string userId) => userId.StartsWith("@" + GhostPrefix, StringComparison.Ordinal);

    public static BridgePlatform WhatsApp() => new()
    {
        Key = "wa", BotLocalpart = "whatsappbot", GhostPrefix = "whatsapp_", ProtocolId = "whatsapp", InviteHost = "chat.whatsapp.com",
    };
}

public sealed class BridgeOptions
{
    public const string Section = "Bridges";

    public Dictionary<string, BridgePlatform> Platforms { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The configured platforms, each knowing its key; <c>wa</c> is added with its defaults when not configured.</summary>
    public IReadOnlyDictionary<string, BridgePlatform> All()
    {
        var all = new Dictionary<string, BridgePlatform>(Platforms, StringComparer.Ordinal);
        all.TryAdd("wa", BridgePlatform.WhatsApp());
        foreach (var (key, platform) in all)
        {
            platform.Key = key;
        }
        return all;
    }
}

/// <summary>Matrix ids.</summary>
public static partial class MatrixIds
{
    /// <summary>The server part of a user id: <c>@alice:example.org</c> → <c>example.org</c>.</summary>
    public static string ServerOf(string userId) => userId[(userId.IndexOf(':') + 1)..];

    [GeneratedRegex(@"^\+?[0-9][0-9 \-().]*$")]
    private static partial Regex PhoneLike();

    /// <summary>Phone numbers are one contact however they are written: <c>+237 6 98-76</c> = <c>237698 76</c> = <c>2376 9876</c>.</summary>
    public static string NormalizeContact(string contact) =>
        PhoneLike().IsMatch(contact.Trim()) ? new string(contact.Where(char.IsAsciiDigit).ToArray()) : contact.Trim();
}
