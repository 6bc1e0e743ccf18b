using Gateway.Sandbox.Bridge;

namespace Gateway.Sandbox.Control;

// Requests and answers of what contacts and the network do after messages exist (see ChatEventsApi).

public sealed record ReadRequest(string? Platform, string? DeviceId, string? From, string? Group);

/// <summary><c>Reaction</c> <c>""</c> takes the contact's reaction back.</summary>
public sealed record ReactRequest(string? Platform, string? DeviceId, string? From, string? Group, string? EventId, string? Reaction);

public sealed record EditRequest(string? Platform, string? DeviceId, string? From, string? Group, string? EventId, string? Text);

public sealed record DeleteRequest(string? Platform, string? DeviceId, string? From, string? Group, string? EventId);

/// <summary><c>Status</c> <c>delivered</c> or <c>failed</c>; <c>Reason</c> is what a failure says.</summary>
public sealed record DeliveryRequest(string? Platform, string? DeviceId, string? EventId, string? Status, string? Reason);

public sealed record ChatEventSent(string EventId);

public sealed record ReadSent(string EventId, string RoomId);

public sealed record DeliveryReported(string EventId, string RoomId, string Status);

/// <summary>A refusal: its HTTP status (400, 404 or 409) and words.</summary>
public sealed record ChatEventError(int Status, string Error);

/// <summary>Which contact, in which chat of which linked device: every action of a contact names one.</summary>
public sealed record ContactChatRef(string? Platform, string? DeviceId, string? From, string? Group)
{
    /// <summary>The portal and the contact's ghost in it (a group member joins first, as it would on its first message).</summary>
    public async Task<(ContactInChat? Chat, ChatEventError? Error)> ResolveAsync(Bridges bridges)
    {
        if (bridges.Find(Platform) is not { } bridge)
        {
            return (null, new(404, $"Platform not enabled: {Platform}"));
        }
        if (string.IsNullOrWhiteSpace(DeviceId))
        {
            return (null, new(400, "Missing required field: device_id"));
        }
        if (string.IsNullOrWhiteSpace(From))
        {
            return (null, new(400, "Missing required field: from"));
        }
        var platform = bridge.Platform;
        if (PhoneNumbers.Normalise(From, platform.Options.ContactIdSuffix) is not { } digits)
        {
            return (null, new(400, $"Invalid phone number in from: {From}"));
        }
        GroupInfo? group = null;
        if (!string.IsNullOrWhiteSpace(Group) && (group = IncomingMessages.ResolveGroup(bridge, Group.Trim())) is null)
        {
            return (null, new(400, $"Not a group invite link or group id: {Group}"));
        }
        if (bridge.Logins.Find(PhoneNumbers.Normalise(DeviceId) ?? DeviceId.Trim()) is not { } login)
        {
            return (null, new(404, $"No linked device {DeviceId} on {platform.Name}"));
        }
        if (!login.IsConnected)
        {
            return (null, new(409, $"Device {login.DeviceId} on {platform.Name} is {login.State} ({login.StateError}): the phone must link it again"));
        }
        var chatId = group is null ? platform.ContactChatId(digits) : platform.GroupChatId(group.GroupId);
        if (bridge.Portals.Find(login.DeviceId, chatId) is not { } portal)
        {
            return (null, new(404, $"Device {login.DeviceId} has no chat {chatId} ({(group is null ? "+" + digits : Group)})"));
        }
        if (group is not null)
        {
            await bridge.Portals.EnsureMemberAsync(portal, platform.ContactId(digits), "+" + digits);
        }
        return (new ContactInChat(bridge, portal, platform.ContactGhostUserId(digits), digits), null);
    }
}
