using Gateway.Sandbox.Bridge;

namespace Gateway.Sandbox.Control;

// Requests and responses of the control API (snake_case on the wire). Every error is {"error": "..."}.

public sealed record ScanRequest(string? Code, string? Phone);

public sealed record Scanned(string Platform, string DeviceId, string UserId, string ManagementRoomId);

public sealed record IncomingAccepted(string Platform, string DeviceId, string RoomId, string EventId, string Sender,
    string ChatType, string ChatId, bool PortalCreated);

/// <summary><c>State</c> is the bridge state (<c>CONNECTED</c>, <c>BAD_CREDENTIALS</c>); <c>Reason</c> its error code.</summary>
public sealed record LoginView(string Platform, string DeviceId, string UserId, string ManagementRoomId, DateTimeOffset LinkedAt,
    string State, string? Reason)
{
    public static LoginView Of(string platform, Login l) => new(platform, l.DeviceId, l.UserId, l.ManagementRoomId, l.LinkedAt, l.State, l.StateError);
}

/// <summary><c>Flow</c> is <c>qr</c> or <c>phone</c>; a pairing-code login shows its code and the number it was asked for.</summary>
public sealed record PendingLoginView(string Platform, string UserId, string RoomId, string? CurrentCode, string Flow, string? Phone)
{
    public static PendingLoginView Of(string platform, PendingLogin p) => new(platform, p.UserId, p.RoomId, p.CurrentCode, p.Flow, p.Phone);
}

public sealed record PairRequest(string? Code);

/// <summary>The phone unlinks the device; <c>Reason</c> is the bridge's error code, <c>wa-logged-out</c> when omitted.</summary>
public sealed record PhoneLogoutRequest(string? DeviceId, string? Platform, string? Reason);

public sealed record LoginsView(IReadOnlyList<LoginView> Logins, IReadOnlyList<PendingLoginView> Pending);

public sealed record PortalView(string Platform, string DeviceId, string ChatType, string ChatId, string RoomId, string Name, string UserId)
{
    public static PortalView Of(string platform, Portal p) =>
        new(platform, p.DeviceId, p.Kind == ChatKind.Group ? "group" : "contact", p.ChatId, p.RoomId, p.Name, p.UserId);
}

/// <summary>Omitted fields stay as they are.</summary>
public sealed record SwitchesRequest(bool? FailNextCommand, int? BotDelayMs, bool? DropQrRefreshes, IReadOnlyList<string>? NotOnNetwork,
    int? LateNextAnswerMs = null, int? RefuseSends = null, string? RefuseReason = null, bool? MessageStatusEvents = null,
    int? EditMaxAgeSeconds = null);

/// <summary><c>MessageStatusEvents</c>, <c>EditMaxAgeSeconds</c> null: each platform's own setting.</summary>
public sealed record SwitchesView(bool FailNextCommand, int BotDelayMs, bool DropQrRefreshes, IReadOnlyCollection<string> NotOnNetwork,
    int LateNextAnswerMs, int RefuseSends, string RefuseReason, bool? MessageStatusEvents, int? EditMaxAgeSeconds)
{
    public static SwitchesView Of(FailureSwitches s) => new(s.FailNextCommand, s.BotDelayMs, s.DropQrRefreshes, s.NotOnNetwork, s.LateNextAnswerMs,
        s.RefuseSends, s.RefuseReason, s.MessageStatusEvents, s.EditMaxAgeSeconds);
}

/// <summary>Chats a phone has before it links: contacts by number, groups by invite link (with a name and members if given).</summary>
public sealed record PhoneChatsRequest(string? Phone, IReadOnlyList<string>? Contacts, IReadOnlyList<ExistingGroupRequest>? Groups, string? Platform)
{
    public (string? Phone, List<string> Contacts, List<GroupInfo> Groups, string? Error) Validate(PlatformBridge bridge)
    {
        if (PhoneNumbers.Normalise(Phone) is not { } phone)
        {
            return (null, [], [], string.IsNullOrWhiteSpace(Phone) ? "Missing required field: phone" : $"Invalid phone number: {Phone}");
        }
        var contacts = new List<string>();
        foreach (var contact in Contacts ?? [])
        {
            if (PhoneNumbers.Normalise(contact) is not { } digits)
            {
                return (null, [], [], $"Invalid phone number in contacts: {contact}");
            }
            contacts.Add(digits);
        }
        var groups = new List<GroupInfo>();
        foreach (var group in Groups ?? [])
        {
            if (GroupDirectory.InviteCode(bridge.Platform, group.Invite ?? "") is not { } code)
            {
                return (null, [], [], $"Not a group invite link: {group.Invite}");
            }
            var members = new List<string>();
            foreach (var member in group.Members ?? [])
            {
                if (PhoneNumbers.Normalise(member) is not { } digits)
                {
                    return (null, [], [], $"Invalid phone number in members: {member}");
                }
                members.Add(digits);
            }
            var known = GroupDirectory.FromInviteCode(code);
            groups.Add(known with
            {
                Name = string.IsNullOrWhiteSpace(group.Name) ? known.Name : group.Name.Trim(),
                MemberIds = group.Members is null ? known.MemberIds : members,
            });
        }
        return (phone, contacts, groups, null);
    }
}

public sealed record ExistingGroupRequest(string? Invite, string? Name, IReadOnlyList<string>? Members);

public sealed record PhoneChatsView(string Platform, string Phone, IReadOnlyList<string> Contacts, IReadOnlyList<ExistingGroupView> Groups);

public sealed record ExistingGroupView(string ChatId, string Name, IReadOnlyList<string> Members);

public sealed record ControlError(string Error);
