using Microsoft.EntityFrameworkCore;

namespace Gateway.Shared.Data;

/// <summary>
/// Rows that several writers may add at once (concurrent requests, a sync batch replayed after a crash): the first
/// one wins and the others add nothing, without an error to catch.
/// </summary>
public static class IdempotentInserts
{
    /// <summary>Adds a portal to the room map unless the chat already has one; returns how many rows were added (0 or 1).</summary>
    public static Task<int> AddBridgeRoomIfMissingAsync(this GatewayDb db, BridgeRoom room, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO bridge_rooms (identity_id, platform, kind, device_id, remote_id, recipient_as_written, room_id, created_at)
            VALUES ({room.IdentityId}, {room.Platform}, {room.Kind.ToString()}, {room.DeviceId}, {room.RemoteId}, {room.RecipientAsWritten},
                    {room.RoomId}, {room.CreatedAt})
            ON CONFLICT (identity_id, platform, kind, device_id, remote_id) DO NOTHING
            """, cancellationToken);

    /// <summary>Adds a linked device unless the identity has it already (a relink of the same number); returns 0 or 1.</summary>
    public static Task<int> AddDeviceIfMissingAsync(this GatewayDb db, LinkedDevice device, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO devices (identity_id, platform, device_id, created_at)
            VALUES ({device.IdentityId}, {device.Platform}, {device.DeviceId}, {device.CreatedAt})
            ON CONFLICT (identity_id, platform, device_id) DO NOTHING
            """, cancellationToken);
}
