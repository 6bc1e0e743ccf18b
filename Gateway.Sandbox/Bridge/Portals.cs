using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gateway.Sandbox.Matrix;
using Gateway.Sandbox.Platforms;

namespace Gateway.Sandbox.Bridge;

public enum ChatKind { Contact, Group }

/// <summary>
/// A bridged chat as seen by one login (the sandbox splits every portal by receiver, so each device has its own rooms).
/// <paramref name="RemoteId"/> is the contact's phone digits or the group id; <paramref name="ChatId"/> is the chat id
/// in <c>m.bridge</c> (<c>&lt;lid&gt;@lid</c>, <c>…@g.us</c>). <paramref name="UserId"/> is the login's current owner;
/// <paramref name="OwnerInvited"/> is false while a new owner (the phone was relinked by someone else) has no invite yet.
/// </summary>
public sealed record Portal(string RoomId, string DeviceId, string UserId, ChatKind Kind, string RemoteId, string ChatId, string Name,
    bool OwnerInvited = true);

public sealed record GroupInfo(string GroupId, string Name, IReadOnlyList<string> MemberIds);

/// <summary>
/// Portal rooms: created once per login and chat, with the <c>m.bridge</c> state that tells clients which remote chat
/// and which login a room stands for. Direct chats are created by the contact's ghost, groups by the bot, as mautrix does.
/// </summary>
public sealed class Portals(Platform platform, MatrixClient matrix, Ghosts ghosts, ILogger<Portals> logger)
{
    // Chat → room id; the portal itself lives in byRoom only, so an owner change is one write.
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> byChat = new();
    private readonly ConcurrentDictionary<string, Portal> byRoom = new();
    private readonly ConcurrentDictionary<string, Lazy<Task>> memberships = new();

    public event Action? Changed;

    public IReadOnlyList<Portal> All => [.. byRoom.Values];

    public Portal? ByRoom(string roomId) => byRoom.GetValueOrDefault(roomId);

    /// <summary>The portal of one login's chat (<c>m.bridge</c> chat id), if the bridge has made one.</summary>
    public Portal? Find(string deviceId, string chatId) => byRoom.Values.FirstOrDefault(p => p.DeviceId == deviceId && p.ChatId == chatId);

    public Task<(Portal Portal, bool Created)> GetOrCreateContactAsync(Login login, string digits) =>
        GetOrCreateAsync(login, platform.ContactChatId(digits), () => CreateContactRoomAsync(login, digits));

    public Task<(Portal Portal, bool Created)> GetOrCreateGroupAsync(Login login, GroupInfo group) =>
        GetOrCreateAsync(login, platform.GroupChatId(group.GroupId), () => CreateGroupRoomAsync(login, group));

    /// <summary>Makes sure a ghost is in the room (a group member the portal did not know yet, or the device's own number).</summary>
    public async Task EnsureMemberAsync(Portal portal, string ghostId, string displayName)
    {
        var ghost = await ghosts.EnsureAsync(ghostId, displayName, CancellationToken.None);
        var join = memberships.GetOrAdd($"{portal.RoomId}|{ghost}", _ => new Lazy<Task>(async () =>
        {
            await InviteAsync(Inviter(portal), portal.RoomId, ghost);
            await matrix.JoinAsync(ghost, portal.RoomId, CancellationToken.None);
        }));
        await join.Value;
    }

    /// <summary>Invites the portal's owner again (after they left it, say); an invite they already have is fine.</summary>
    public async Task<Portal> ReinviteOwnerAsync(Portal portal)
    {
        await InviteAsync(Inviter(portal), portal.RoomId, portal.UserId);
        return MarkOwnerInvited(portal);
    }

    /// <summary>
    /// Before a message lands in a portal whose owner changed (another user relinked the phone), the new owner is
    /// invited, as bridgev2 does for a user missing from a portal it bridges for them.
    /// </summary>
    public Task<Portal> EnsureOwnerInvitedAsync(Portal portal) =>
        portal.OwnerInvited ? Task.FromResult(portal) : ReinviteOwnerAsync(portal);

    /// <summary>
    /// Another user relinked the phone: its portals stay the same rooms (the receiver is still the phone) and are now
    /// theirs. The old owner is left in the rooms, as bridgev2 leaves them until a member sync.
    /// </summary>
    public void TransferTo(string deviceId, string userId)
    {
        foreach (var portal in byRoom.Values.Where(p => p.DeviceId == deviceId && p.UserId != userId))
        {
            byRoom[portal.RoomId] = portal with { UserId = userId, OwnerInvited = false };
        }
        Changed?.Invoke();
    }

    /// <summary>Portals saved before contacts had LIDs are found again under their current chat id.</summary>
    public void Restore(IEnumerable<Portal> portals)
    {
        foreach (var saved in portals)
        {
            var portal = saved.Kind == ChatKind.Contact ? saved with { ChatId = platform.ContactChatId(saved.RemoteId) } : saved;
            byRoom[portal.RoomId] = portal;
            byChat[Key(portal.DeviceId, portal.ChatId)] = new Lazy<Task<string>>(Task.FromResult(portal.RoomId));
        }
    }

    private async Task<(Portal Portal, bool Created)> GetOrCreateAsync(Login login, string chatId, Func<Task<Portal>> create)
    {
        var key = Key(login.DeviceId, chatId);
        var mine = new Lazy<Task<string>>(async () => (await create()).RoomId);
        var entry = byChat.GetOrAdd(key, mine);
        try
        {
            var roomId = await entry.Value;
            return (byRoom[roomId], ReferenceEquals(entry, mine));
        }
        catch
        {
            byChat.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(key, entry)); // the next attempt creates it afresh
            throw;
        }
    }

    private Portal MarkOwnerInvited(Portal portal)
    {
        var current = byRoom.GetValueOrDefault(portal.RoomId) ?? portal;
        if (current.OwnerInvited)
        {
            return current;
        }
        var invited = current with { OwnerInvited = true };
        byRoom[portal.RoomId] = invited;
        Changed?.Invoke();
        return invited;
    }

    /// <summary>Who invites into a portal: the contact's ghost in a DM (it created the room), the bot in a group.</summary>
    private string? Inviter(Portal portal) => portal.Kind == ChatKind.Group ? null : platform.ContactGhostUserId(portal.RemoteId);

    private async Task<Portal> CreateContactRoomAsync(Login login, string digits)
    {
        var name = "+" + digits;
        var ghost = await ghosts.EnsureAsync(platform.ContactId(digits), name, CancellationToken.None);
        var chatId = platform.ContactChatId(digits);
        var roomId = await matrix.CreateRoomAsync(ghost, new CreateRoomRequest(
            Name: name,
            Preset: "private_chat",
            IsDirect: true,
            Invite: [login.UserId, platform.BotUserId],
            InitialState: BridgeState(chatId, name, login.DeviceId, direct: true),
            PowerLevelContentOverride: PowerLevels(ghost)), CancellationToken.None);
        var portal = Remember(new Portal(roomId, login.DeviceId, login.UserId, ChatKind.Contact, digits, chatId, name));
        await matrix.JoinAsync(null, roomId, CancellationToken.None);
        return portal;
    }

    private async Task<Portal> CreateGroupRoomAsync(Login login, GroupInfo group)
    {
        var members = new List<string>();
        foreach (var member in group.MemberIds)
        {
            members.Add(await ghosts.EnsureAsync(platform.ContactId(member), "+" + member, CancellationToken.None));
        }
        var chatId = platform.GroupChatId(group.GroupId);
        var roomId = await matrix.CreateRoomAsync(null, new CreateRoomRequest(
            Name: group.Name,
            Preset: "private_chat",
            IsDirect: false,
            Invite: members,
            InitialState: BridgeState(chatId, group.Name, login.DeviceId, direct: false),
            PowerLevelContentOverride: PowerLevels()), CancellationToken.None);
        var portal = Remember(new Portal(roomId, login.DeviceId, login.UserId, ChatKind.Group, group.GroupId, chatId, group.Name));
        foreach (var member in members)
        {
            await matrix.JoinAsync(member, roomId, CancellationToken.None);
            memberships[$"{roomId}|{member}"] = new Lazy<Task>(Task.CompletedTask);
        }
        // The user is invited last, so the room they join already shows the group's members.
        await matrix.InviteAsync(null, roomId, login.UserId, CancellationToken.None);
        return portal;
    }

    /// <summary>
    /// Called as soon as the room exists: the user's first message may follow the invite within milliseconds, and
    /// must be seen as sent to the chat, not as a command in some unknown room.
    /// </summary>
    private Portal Remember(Portal portal)
    {
        byRoom[portal.RoomId] = portal;
        logger.LogInformation("Created {Kind} portal {RoomId} for {ChatId} of login {DeviceId}", portal.Kind, portal.RoomId, portal.ChatId, portal.DeviceId);
        Changed?.Invoke();
        return portal;
    }

    private async Task InviteAsync(string? inviter, string roomId, string userId)
    {
        try
        {
            await matrix.InviteAsync(inviter, roomId, userId, CancellationToken.None);
        }
        catch (MatrixException e) when (e.ErrCode == "M_FORBIDDEN")
        {
            // Already invited or joined: the homeserver refuses a second invite, which is what we wanted anyway.
        }
    }

    /// <summary>
    /// <c>m.bridge</c> (and the older <c>uk.half-shot.bridge</c>, which mautrix still sends) naming the bot, the network,
    /// the remote chat and the login that receives it; a direct chat says so with bridgev2's room type <c>dm</c> (a group
    /// has none).
    /// </summary>
    private List<InitialStateEvent> BridgeState(string chatId, string chatName, string receiver, bool direct)
    {
        var content = new JsonObject
        {
            ["bridgebot"] = platform.BotUserId,
            ["creator"] = platform.BotUserId,
            ["protocol"] = new JsonObject { ["id"] = platform.Options.ProtocolId, ["displayname"] = platform.Options.NetworkName },
            ["channel"] = new JsonObject { ["id"] = chatId, ["displayname"] = chatName, ["fi.mau.receiver"] = receiver },
        };
        if (direct)
        {
            content["com.beeper.room_type"] = "dm";
            content["com.beeper.room_type.v2"] = "dm";
        }
        var stateKey = $"fi.mau.bridge://{platform.Options.ProtocolId}/{receiver}/{chatId}";
        return [new("m.bridge", stateKey, content), new("uk.half-shot.bridge", stateKey, content.DeepClone())];
    }

    private JsonObject PowerLevels(string? ghost = null)
    {
        var users = new JsonObject { [platform.BotUserId] = 100 };
        if (ghost is not null)
        {
            users[ghost] = 100;
        }
        return new JsonObject { ["users"] = users };
    }

    private static string Key(string deviceId, string chatId) => $"{deviceId}|{chatId}";
}
