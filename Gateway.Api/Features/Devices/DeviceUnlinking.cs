using Gateway.Api.Auth;
using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Features.Devices;

/// <summary>Logs the bridge out of a device, then forgets the device.</summary>
public sealed class DeviceUnlinking(GatewayDb db, MatrixSessions sessions, MatrixClient matrix, AccessCache access, ILogger<DeviceUnlinking> logger)
{
    public async Task UnlinkAsync(LinkedDevice device, BridgePlatform platform, CancellationToken cancellationToken)
    {
        var managementRoom = await db.BridgeRooms
            .Where(r => r.IdentityId == device.IdentityId && r.Platform == platform.Key && r.Kind == BridgeRoomKind.Management)
            .Select(r => r.RoomId)
            .FirstOrDefaultAsync(cancellationToken);
        if (managementRoom is not null)
        {
            var session = await sessions.ForIdentityAsync(device.IdentityId, cancellationToken);
            try
            {
                await matrix.SendTextAsync(session.AccessToken, managementRoom, $"logout {device.DeviceId}", cancellationToken);
            }
            catch (Exception e) when (e is MatrixException or HttpRequestException)
            {
                // The caller asked to forget the device; a bridge that cannot be told is logged, not a reason to keep it.
                logger.LogWarning(e, "Could not send logout for device {DeviceId} to the {Platform} bridge", device.DeviceId, platform.Key);
            }
        }
        db.Devices.Remove(device);
        await db.SaveChangesAsync(cancellationToken);
        await access.RevokeAsync();
    }
}
