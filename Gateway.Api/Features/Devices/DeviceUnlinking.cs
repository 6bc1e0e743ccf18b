using Gateway.Api.Auth;
using Gateway.Api.Bridges;
using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Features.Devices;

/// <summary>Logs the bridge out of a device, then forgets the device: only once the bridge confirmed it.</summary>
public sealed class DeviceUnlinking(GatewayDb db, MatrixSessions sessions, BridgeLogouts logouts, AccessCache access)
{
    /// <summary>Null when the device is unlinked; else why the bridge could not log it out (the device stays).</summary>
    public async Task<string?> UnlinkAsync(LinkedDevice device, BridgePlatform platform, CancellationToken cancellationToken)
    {
        var session = await sessions.ForIdentityAsync(device.IdentityId, cancellationToken);
        if (await logouts.LogOutAsync(session, platform, device.DeviceId, cancellationToken) is { } error)
        {
            return error;
        }
        // Only if it is still the caller's: the phone may have moved to another identity while the bridge was told.
        await db.Devices.Where(d => d.Id == device.Id && d.IdentityId == device.IdentityId).ExecuteDeleteAsync(cancellationToken);
        await access.RevokeAsync();
        return null;
    }
}
