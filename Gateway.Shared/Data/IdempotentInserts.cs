using Microsoft.EntityFrameworkCore;

namespace Gateway.Shared.Data;

/// <summary>
/// Rows that several writers may add at once (concurrent requests, a sync batch replayed after a crash): the first
/// one wins and the others add nothing, without an error to catch. Each returns how many rows it added (0 or 1).
/// </summary>
public static class IdempotentInserts
{
    /// <summary>Adds a portal (<see cref="BridgeRoomKind.Contact"/> or <see cref="BridgeRoomKind.Group"/>) to the room map unless the chat has one.</summary>
    public static Task<int> AddPortalIfMissingAsync(this GatewayDb db, int identityId, string platform, BridgeRoomKind kind, string deviceId,
        string remoteId, string recipientAsWritten, string? contactGhost, string roomId, DateTime createdAt, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO bridge_rooms (identity_id, platform, kind, device_id, remote_id, recipient_as_written, contact_ghost, room_id, created_at)
            VALUES ({identityId}, {platform}, {kind.ToString()}, {deviceId}, {remoteId}, {recipientAsWritten}, {contactGhost}, {roomId}, {createdAt})
            ON CONFLICT (identity_id, platform, kind, device_id, remote_id) DO NOTHING
            """, cancellationToken);

    /// <summary>Records the portal of a chat the identity is in; a chat whose portal was made anew points at its new room.</summary>
    public static Task<int> RecordChatPortalAsync(this GatewayDb db, int identityId, string platform, string deviceId, string chatId,
        BridgeRoomKind kind, string roomId, DateTime createdAt, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO portals (identity_id, platform, device_id, chat_id, kind, room_id, created_at)
            VALUES ({identityId}, {platform}, {deviceId}, {chatId}, {kind.ToString()}, {roomId}, {createdAt})
            ON CONFLICT (identity_id, platform, chat_id, device_id) DO UPDATE SET room_id = EXCLUDED.room_id, kind = EXCLUDED.kind
            """, cancellationToken);

    /// <summary>A message the identity sent, at <see cref="Events.MessageStatuses.Pending"/>; the first of the Api and the worker records it.</summary>
    public static Task<int> RecordSentMessageAsync(this GatewayDb db, int identityId, string eventId, string platform, string deviceId, string roomId,
        string recipient, DateTime sentAt, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO sent_messages (identity_id, event_id, platform, device_id, room_id, recipient, status, sent_at, updated_at)
            VALUES ({identityId}, {eventId}, {platform}, {deviceId}, {roomId}, {recipient}, {Events.MessageStatuses.Pending}, {sentAt}, {sentAt})
            ON CONFLICT (identity_id, event_id) DO NOTHING
            """, cancellationToken);

    /// <summary>A contact's message the identity received, for the actions taken on it; replays add nothing.</summary>
    public static Task<int> RecordReceivedMessageAsync(this GatewayDb db, int identityId, string eventId, string platform, string deviceId, string roomId,
        DateTime receivedAt, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO received_messages (identity_id, event_id, platform, device_id, room_id, received_at)
            VALUES ({identityId}, {eventId}, {platform}, {deviceId}, {roomId}, {receivedAt})
            ON CONFLICT (identity_id, event_id) DO NOTHING
            """, cancellationToken);

    /// <summary>Adds a linked device unless the phone is linked already, to this identity or another.</summary>
    public static Task<int> AddDeviceIfMissingAsync(this GatewayDb db, int identityId, string platform, string deviceId, DateTime linkedAt,
        CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO devices (identity_id, platform, device_id, status, created_at)
            VALUES ({identityId}, {platform}, {deviceId}, {DeviceStatus.Connected.ToString()}, {linkedAt})
            ON CONFLICT (platform, device_id) DO NOTHING
            """, cancellationToken);
}
