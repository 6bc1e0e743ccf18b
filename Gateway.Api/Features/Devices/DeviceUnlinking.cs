using Gateway.Api.Auth;
using Gateway.Api.Bridges;
using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Features.Devices;

/// <summary>Logs the bridge out of a device, then forgets the device.</summary>
public sealed class DeviceUnlinking(GatewayDb db, MatrixSessions sessions, BridgeCommands commands, AccessCache access, ILogger<DeviceUnlinking> logger)
{
    public async Task UnlinkAsync(LinkedDevice device, BridgePlatform platform, CancellationToken cancellationToken)
    {
        var session = await sessions.ForIdentityAsync(device.IdentityId, cancellationToken);
        try
        {
            await using var bot = await commands.OpenExistingAsync(session, platform, cancellationToken);
            if (bot is not null) // no management room: the bridge never linked anything for this identity
            {
                await bot.LogoutAsync(device.DeviceId, cancellationToken);
            }
        }
        catch (Exception e) when (e is MatrixException or HttpRequestException or BridgeUnavailableException)
        {
            // The caller asked to forget the device; a bridge that cannot be told is logged, not a reason to keep it.
            logger.LogWarning(e, "Could not send logout for device {DeviceId} to the {Platform} bridge", device.DeviceId, platform.Key);
        }
        // Only if it is still the caller's: the phone may have moved to another identity while the bridge was told.
        await db.Devices.Where(d => d.Id == device.Id && d.IdentityId == device.IdentityId).ExecuteDeleteAsync(cancellationToken);
        await access.RevokeAsync();
    }
}
