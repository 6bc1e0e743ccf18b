using Gateway.Api.Auth;
using Gateway.Shared.Data;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Features.Devices;

/// <summary>Whether a device is linked to an identity, asked on every send: a yes is kept in the <see cref="AccessCache"/>, which unlinking voids.</summary>
public sealed class LinkedDevices(GatewayDb db, AccessCache access)
{
    /// <summary>Whether the identity has the device on <paramref name="platform"/>, or on any platform when it is null.</summary>
    public async Task<bool> IsLinkedAsync(int identityId, string? platform, string deviceId, CancellationToken cancellationToken)
    {
        var key = (identityId, platform ?? "*", deviceId);
        if (access.TryGet<bool>("device", key, out _))
        {
            return true;
        }
        var generation = access.Generation;
        if (!await db.Devices.AnyAsync(d => d.IdentityId == identityId && (platform == null || d.Platform == platform) && d.DeviceId == deviceId,
                cancellationToken))
        {
            return false;
        }
        access.Keep("device", key, true, generation);
        return true;
    }
}
