namespace Gateway.Shared.Data;

/// <summary>An API client that authenticates with Basic auth. Only the SHA-256 of its secret is kept.</summary>
public sealed class Credential
{
    public int Id { get; set; }
    public required string ClientId { get; set; }
    public required byte[] SecretHash { get; set; }
    public required string Role { get; set; }
    public List<string> Scopes { get; set; } = [];
    public string? Description { get; set; }
    public bool Active { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool IsSuperAdmin => Role == CredentialRoles.SuperAdmin;
}

public static class CredentialRoles
{
    public const string SuperAdmin = "super_admin";
    public const string User = "user";
}

/// <summary>A Matrix user the gateway drives on the homeserver. Several tokens may share one (use_host).</summary>
public sealed class MatrixIdentity
{
    public int Id { get; set; }
    public required string UserId { get; set; }
    public required string DeviceId { get; set; }
    /// <summary>The Matrix access token, encrypted with <see cref="Security.SecretBox"/>.</summary>
    public required byte[] AccessTokenCipher { get; set; }
    /// <summary>The host identity: the Matrix user of the first token ever created. At most one row has it.</summary>
    public bool IsHost { get; set; }
    /// <summary>The /sync <c>next_batch</c> the worker has fully processed.</summary>
    public string? SyncToken { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The SyncWorker replica whose loop syncs this identity, while that replica's presence is fresh (<see cref="SyncWorkerPresence"/>).</summary>
    public string? SyncLeaseHolder { get; set; }
    /// <summary>Raised at every takeover: a loop writes its sync token only while the fence is still the one it took.</summary>
    public long SyncLeaseFence { get; set; }
}

/// <summary>
/// A running SyncWorker replica, seen at its last renewal: replicas share the identities evenly among the live ones, and
/// its leases last while it is seen within a lease's duration.
/// </summary>
public sealed class SyncWorkerPresence
{
    public required string Name { get; set; }
    public DateTime SeenAt { get; set; }
}

/// <summary>A bearer token (<c>mt_…</c>) for the device and webhook API. Only its SHA-256 is kept.</summary>
public sealed class ApiToken
{
    public int Id { get; set; }
    public required byte[] TokenHash { get; set; }
    /// <summary>Null for legacy tokens created before credentials existed.</summary>
    public int? CredentialId { get; set; }
    public Credential? Credential { get; set; }
    public int IdentityId { get; set; }
    public MatrixIdentity Identity { get; set; } = null!;
    public bool IsAdmin { get; set; }
    public bool UseHost { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// A phone (or other chat account) linked through a bridge to a Matrix identity. A phone is linked to one identity
/// per platform: linking it under another moves it there, as the bridge moves its login.
/// </summary>
public sealed class LinkedDevice
{
    public int Id { get; set; }
    public int IdentityId { get; set; }
    public MatrixIdentity Identity { get; set; } = null!;
    /// <summary>The bridge platform key from configuration (<c>wa</c>, <c>signal</c>, …).</summary>
    public required string Platform { get; set; }
    /// <summary>The remote account, as the bridge names its login (for WhatsApp the phone number's digits).</summary>
    public required string DeviceId { get; set; }
    public DeviceStatus Status { get; set; }
    /// <summary>The bridge's words when the phone unlinked the device (<see cref="DeviceStatus.LoggedOut"/>).</summary>
    public string? StatusReason { get; set; }
    /// <summary>When the bridge reported the link (the success message's homeserver time): a later link of the phone wins.</summary>
    public DateTime CreatedAt { get; set; }
}

public enum DeviceStatus
{
    Connected,
    /// <summary>The phone unlinked the device: the bridge keeps the login but can send nothing until it is linked again.</summary>
    LoggedOut,
}

/// <summary>What a bridge room is to the gateway.</summary>
public enum BridgeRoomKind
{
    /// <summary>The direct room with the bridge bot where commands are sent.</summary>
    Management,
    /// <summary>A portal to a one-to-one chat.</summary>
    Contact,
    /// <summary>A portal to a group chat.</summary>
    Group,
}

/// <summary>The room map: which Matrix room stands for which bot or remote chat, per identity and platform.</summary>
public sealed class BridgeRoom
{
    public int Id { get; set; }
    public int IdentityId { get; set; }
    public MatrixIdentity Identity { get; set; } = null!;
    public required string Platform { get; set; }
    public BridgeRoomKind Kind { get; set; }
    /// <summary>The remote chat (normalised contact number, or group invite code); empty for management rooms.</summary>
    public string RemoteId { get; set; } = "";
    /// <summary>The contact or invite link as the API caller first wrote it (webhooks report senders this way).</summary>
    public string? RecipientAsWritten { get; set; }
    /// <summary>
    /// The contact's ghost as the bridge named it when it opened the chat (on WhatsApp a LID ghost, whose digits are not
    /// the phone's): how the contact is recognised among a group's members.
    /// </summary>
    public string? ContactGhost { get; set; }
    public required string RoomId { get; set; }
    /// <summary>The device (bridge login) that owns a portal; empty for management rooms.</summary>
    public string DeviceId { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// A portal room the identity sits in, as the bridge's <c>m.bridge</c> state names it: the remote chat (<c>channel.id</c>,
/// e.g. <c>…@lid</c> or <c>…@g.us</c>) and the login that receives it. Recorded by the SyncWorker for every portal it
/// joins, including those the bridge made on its own (a phone's existing chats at login), so a send to a chat whose
/// portal exists goes straight there.
/// </summary>
public sealed class ChatPortal
{
    public int Id { get; set; }
    public int IdentityId { get; set; }
    public MatrixIdentity Identity { get; set; } = null!;
    public required string Platform { get; set; }
    /// <summary>The login that receives the chat (<c>fi.mau.receiver</c>); empty when the bridge names none.</summary>
    public string DeviceId { get; set; } = "";
    public required string ChatId { get; set; }
    /// <summary><see cref="BridgeRoomKind.Contact"/> for a direct chat (bridgev2's room type <c>dm</c>), else <see cref="BridgeRoomKind.Group"/>.</summary>
    public BridgeRoomKind Kind { get; set; }
    public required string RoomId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// A message an identity sent into a portal (through the API), and what became of it so far
/// (<see cref="Events.MessageStatuses"/>). Written by the Api when it sends and by the SyncWorker when it sees the
/// message in the portal (whichever is first), moved on only by the SyncWorker as the bridge reports.
/// </summary>
public sealed class SentMessage
{
    public long Id { get; set; }
    public int IdentityId { get; set; }
    public MatrixIdentity Identity { get; set; } = null!;
    public required string EventId { get; set; }
    public required string Platform { get; set; }
    public required string DeviceId { get; set; }
    public required string RoomId { get; set; }
    /// <summary>The recipient as the API caller wrote it, or the chat id when the gateway did not see the send.</summary>
    public required string Recipient { get; set; }
    public required string Status { get; set; }
    /// <summary>Why it failed, in the bridge's words.</summary>
    public string? Error { get; set; }
    public DateTime SentAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// A message a contact sent into one of a device's chats, as the SyncWorker read it: where an action on it (a reaction,
/// marking it read) goes, since a Matrix event id does not name its room. Only the identity that read it finds it.
/// </summary>
public sealed class ReceivedMessage
{
    public long Id { get; set; }
    public int IdentityId { get; set; }
    public MatrixIdentity Identity { get; set; } = null!;
    public required string EventId { get; set; }
    public required string Platform { get; set; }
    public required string DeviceId { get; set; }
    public required string RoomId { get; set; }
    public DateTime ReceivedAt { get; set; }
}

/// <summary>
/// A contact's reaction event and the message it reacts to: taking a reaction back is a redaction of the reaction
/// event, which on the homeserver no longer says what it reacted to.
/// </summary>
public sealed class ReceivedReaction
{
    public long Id { get; set; }
    public int IdentityId { get; set; }
    public MatrixIdentity Identity { get; set; } = null!;
    public required string EventId { get; set; }
    public required string MessageId { get; set; }
    public DateTime CreatedAt { get; set; }
}
