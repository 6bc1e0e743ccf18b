using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.Sandbox.Platforms;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// The simulated network's groups. There is no server to ask, so a group is derived from its invite code:
/// the same link always leads to the same group id, name and members.
/// </summary>
public static partial class GroupDirectory
{
    private const int MembersPerGroup = 3;

    /// <summary>The invite code of a link to <paramref name="platform"/>'s invite host, or null for anything else.</summary>
    public static string? InviteCode(Platform platform, string link)
    {
        if (!Uri.TryCreate(link.Trim(), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http")
            || !string.Equals(uri.Host, platform.Options.InviteLinkHost, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        // WhatsApp puts the code in the path, Signal in the fragment.
        var code = uri.AbsolutePath.Trim('/');
        if (code.Length == 0)
        {
            code = uri.Fragment.TrimStart('#');
        }
        return Code().IsMatch(code) ? code : null;
    }

    public static GroupInfo FromInviteCode(string code)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(code));
        var groupId = "120363" + Digits(hash.AsSpan(0, 8), 12);
        var members = Enumerable.Range(0, MembersPerGroup)
            .Select(i => "2376" + Digits(hash.AsSpan(8 + i * 8, 8), 8))
            .ToList();
        return new GroupInfo(groupId, $"Sandbox group {code[..Math.Min(6, code.Length)]}", members);
    }

    /// <summary>A group known only by id (a message arrived from it): its name comes from the id, its members join as they speak.</summary>
    public static GroupInfo FromGroupId(string groupId) => new(groupId, $"Sandbox group {groupId[^Math.Min(6, groupId.Length)..]}", []);

    private static string Digits(ReadOnlySpan<byte> bytes, int count) =>
        (BitConverter.ToUInt64(bytes) % (ulong)Math.Pow(10, count)).ToString().PadLeft(count, '0');

    [GeneratedRegex("^[A-Za-z0-9_-]{4,200}$")]
    private static partial Regex Code();
}
