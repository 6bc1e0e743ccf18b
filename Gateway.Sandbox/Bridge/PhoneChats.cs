using System.Collections.Concurrent;

namespace Gateway.Sandbox.Bridge;

/// <summary>The contacts and groups a phone already has before it links (given by a test through the control API).</summary>
public sealed record ExistingChats(IReadOnlyList<string> Contacts, IReadOnlyList<GroupInfo> Groups);

/// <summary>
/// What is on each phone before any bridge sees it. At login the bridge creates a portal for each of these chats and
/// invites the user, as bridgev2 does from WhatsApp's history sync (<c>createPortalsFromHistorySync</c>): the user is in
/// those rooms before the gateway ever asks for them. Kept in memory: a test gives a phone its chats, then links it.
/// </summary>
public sealed class PhoneChats
{
    private readonly ConcurrentDictionary<string, ExistingChats> byPhone = new();

    public ExistingChats Of(string phone) => byPhone.GetValueOrDefault(phone) ?? new ExistingChats([], []);

    /// <summary>Adds to what the phone has (a contact or group given twice is kept once).</summary>
    public ExistingChats Add(string phone, IEnumerable<string> contacts, IEnumerable<GroupInfo> groups) =>
        byPhone.AddOrUpdate(phone,
            _ => new ExistingChats([.. contacts.Distinct()], [.. groups.DistinctBy(g => g.GroupId)]),
            (_, known) => new ExistingChats([.. known.Contacts.Concat(contacts).Distinct()], [.. known.Groups.Concat(groups).DistinctBy(g => g.GroupId)]));
}
