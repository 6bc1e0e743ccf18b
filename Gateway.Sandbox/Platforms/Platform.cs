using System.Text.RegularExpressions;

namespace Gateway.Sandbox.Platforms;

/// <summary>A configured platform with the Matrix ids derived from it.</summary>
public sealed class Platform
{
    private readonly Regex ghostPattern;

    public Platform(string name, PlatformOptions options, string serverName)
    {
        Name = name;
        Options = options;
        ServerName = serverName;
        BotUserId = $"@{options.BotLocalpart}:{serverName}";
        var parts = options.GhostTemplate.Split("{id}");
        if (parts.Length != 2)
        {
            throw new InvalidOperationException($"Sandbox:Platforms:{name}:GhostTemplate must contain {{id}} once.");
        }
        ghostPattern = new Regex($"^@{Regex.Escape(parts[0])}(.+){Regex.Escape(parts[1])}:{Regex.Escape(serverName)}$");
    }

    public string Name { get; }
    public PlatformOptions Options { get; }
    public string ServerName { get; }
    public string BotUserId { get; }

    public string GhostLocalpart(string remoteId) => Options.GhostTemplate.Replace("{id}", remoteId);

    public string GhostUserId(string remoteId) => $"@{GhostLocalpart(remoteId)}:{ServerName}";

    /// <summary>The bot or one of its ghosts: their own events come back in transactions and must be ignored.</summary>
    public bool IsBridgeUser(string userId) => userId == BotUserId || ghostPattern.IsMatch(userId);

    /// <summary>The contact's id on the network, as ghosts and bot answers name it: <c>lid-&lt;lid&gt;</c> or the digits.</summary>
    public string ContactId(string digits) => Options.UsesLids ? "lid-" + Lids.Of(digits) : digits;

    public string ContactGhostUserId(string digits) => GhostUserId(ContactId(digits));

    /// <summary>The DM's chat id in <c>m.bridge</c>: <c>&lt;lid&gt;@lid</c>, or the digits with the contact suffix.</summary>
    public string ContactChatId(string digits) => Options.UsesLids ? Lids.Of(digits) + "@lid" : digits + Options.ContactIdSuffix;

    public string GroupChatId(string groupId) => groupId + Options.GroupIdSuffix;
}
