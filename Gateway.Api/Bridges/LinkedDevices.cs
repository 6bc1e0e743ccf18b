using Gateway.Api.Auth;
using Gateway.Shared.Data;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Bridges;

/// <summary>
/// Whether a device is linked to an identity, and how it is, asked on every send: the answer is kept in the
/// <see cref="AccessCache"/>, which unlinking, a move to another identity and a phone's logout void.
/// </summary>
public sealed class LinkedDevices(GatewayDb db, AccessCache access)
{
    /// <summary>The device's status on <paramref name="platform"/> (on any platform when null), or null when the identity does not have it.</summary>
    public async Task<DeviceStatus?> StatusAsync(int identityId, string? platform, string deviceId, CancellationToken cancellationToken)
    {
        var key = (identityId, platform ?? "*", deviceId);
        if (access.TryGet<DeviceStatus>("device", key, out var kept))
        {
            return kept;
        }
        var generation = access.Generation;
        var statuses = await db.Devices
            .Where(d => d.IdentityId == identityId && (platform == null || d.Platform == platform) && d.DeviceId == deviceId)
            .Select(d => d.Status)
            .ToListAsync(cancellationToken);
        if (statuses.Count == 0)
        {
            return null;
        }
        var status = statuses.Min(); // on any platform: connected on one is enough
        access.Keep("device", key, status, generation);
        return status;
    }
}
