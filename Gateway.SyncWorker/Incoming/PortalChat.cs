using System.Text.Json.Nodes;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Gateway.SyncWorker.Delivery;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// A portal room of a batch as the readers see it: the identity, the device whose chat it is (owned by the identity
/// now), the chat, and who is who among its members.
/// </summary>
public sealed class PortalChat(MatrixSession identity, BridgePlatform platform, string roomId, string deviceId, WebhookChat chat, List<BridgeRoom> roomMap)
{
    public MatrixSession Identity => identity;
    public BridgePlatform Platform => platform;
    public string RoomId => roomId;
    public string DeviceId => deviceId;
    public WebhookChat Chat => chat;

    /// <summary>A ghost of a contact: the bridge's puppet of someone else, not the bot and not the phone's own number.</summary>
    public bool IsContact(string? sender) =>
        sender is not null && platform.IsGhost(sender, identity.Server) && sender != platform.GhostUserId(deviceId, identity.Server);

    /// <summary>The identity itself: what it sent here went through the API.</summary>
    public bool IsIdentity(string? sender) => sender == identity.UserId;

    public bool IsBot(string? sender) => sender == platform.BotUserId(identity.Server);

    /// <summary>
    /// The contact as the API caller wrote it, when this identity has messaged the sender through the gateway: the
    /// room map's contact row for this portal, or (for a group member) the row whose contact has the sender's ghost. The
    /// ghost is the bridge's name for the contact (a LID on WhatsApp), so it is compared, never the phone digits.
    /// </summary>
    public BridgeRoom? KnownContact(string sender)
    {
        var contacts = roomMap.Where(r => r.Kind == BridgeRoomKind.Contact && r.Platform == platform.Key && r.DeviceId == deviceId).ToList();
        return contacts.FirstOrDefault(r => r.RoomId == roomId)
            ?? contacts.FirstOrDefault(r => r.ContactGhost == sender)
            ?? contacts.FirstOrDefault(r => r.ContactGhost is null && r.RemoteId == platform.GhostRemoteId(sender)); // rows from before ghosts were kept
    }

    /// <summary>A payload's <c>from</c>: the contact as the caller wrote it, else the sender's Matrix id.</summary>
    public string From(string sender) => KnownContact(sender) is { } contact ? contact.RecipientAsWritten ?? contact.RemoteId : sender;

    /// <summary>The recipient of what the identity sends here, as the caller wrote it, else the chat's id.</summary>
    public string Recipient => roomMap.FirstOrDefault(r => r.RoomId == roomId && r.Kind != BridgeRoomKind.Management)?.RecipientAsWritten ?? chat.Id;

    /// <summary>When the network saw the event (the bridge stamps a ghost's event with it).</summary>
    public static DateTimeOffset TimeOf(JsonNode matrixEvent) => DateTimeOffset.FromUnixTimeMilliseconds(EventJson.Long(matrixEvent["origin_server_ts"]) ?? 0);

    /// <summary><see cref="TimeOf"/> as payloads write it.</summary>
    public static string TimestampOf(JsonNode matrixEvent) => OutboxEvent.Timestamp(TimeOf(matrixEvent));
}
