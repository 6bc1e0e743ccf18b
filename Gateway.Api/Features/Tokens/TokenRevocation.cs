using Gateway.Api.Auth;
using Gateway.Api.Bridges;
using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Features.Tokens;

/// <summary>
/// Deletes tokens, and with them the identities no remaining token uses: each of their devices is logged out of its
/// bridge first (no phone stays linked to a Matrix user nobody controls), then the Matrix session, then the identity.
/// The host identity stays: it is the one <c>use_host</c> tokens share and owns the host's linked devices.
/// </summary>
public sealed class TokenRevocation(
    GatewayDb db, IMatrixUserProvisioner provisioner, SecretBox secretBox, MatrixSessions sessions, IdentityAnnouncements identities, AccessCache access,
    BridgeLogouts logouts, IOptions<BridgeOptions> bridges, RevokedIdentities revoked, ILogger<TokenRevocation> logger)
{
    public Task DeleteTokensAsync(List<ApiToken> tokens, CancellationToken cancellationToken) =>
        DeleteAsync(tokens, credential: null, cancellationToken);

    public async Task DeleteCredentialAsync(Credential credential, CancellationToken cancellationToken)
    {
        var tokens = await db.Tokens.Where(t => t.CredentialId == credential.Id).ToListAsync(cancellationToken);
        await DeleteAsync(tokens, credential, cancellationToken);
    }

    /// <summary>The tokens stop working at once; their identities are retired in the background (<see cref="RevokedIdentities"/>).</summary>
    private async Task DeleteAsync(List<ApiToken> tokens, Credential? credential, CancellationToken cancellationToken)
    {
        db.Tokens.RemoveRange(tokens);
        if (credential is not null)
        {
            db.Credentials.Remove(credential);
        }
        await db.SaveChangesAsync(cancellationToken);
        await access.RevokeAsync();
        revoked.Wake();
    }

    /// <summary>
    /// Retires the identities that no token uses any more, one by one while <paramref name="mayGoOn"/> says so. An
    /// identity whose devices the bridge did not all confirm logged out stays, with those devices, and is tried again: its
    /// rows in Postgres are the record of what is still owed, and its sync loop keeps running to hear the bridge's answers.
    /// One identity's trouble never holds up the others. Returns how many identities still wait.
    /// </summary>
    public async Task<int> RetireOrphanIdentitiesAsync(Func<Task<bool>> mayGoOn, CancellationToken cancellationToken)
    {
        var orphans = await Orphans().AsNoTracking().OrderBy(i => i.Id).ToListAsync(cancellationToken);
        var waiting = 0;
        foreach (var identity in orphans)
        {
            if (!await mayGoOn())
            {
                return orphans.Count; // another replica takes over; what is left is still owed
            }
            try
            {
                if (!await RetireAsync(identity, cancellationToken))
                {
                    waiting++;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Retiring Matrix user {UserId} failed; trying again later", identity.UserId);
                waiting++;
            }
        }
        return waiting;
    }

    private async Task<bool> RetireAsync(MatrixIdentity identity, CancellationToken cancellationToken)
    {
        if (!await LogOutDevicesAsync(identity, cancellationToken))
        {
            return false;
        }
        try
        {
            await provisioner.LogoutAsync(secretBox.Open(identity.AccessTokenCipher), cancellationToken);
        }
        catch (HttpRequestException e)
        {
            // The tokens are gone either way; an unreachable homeserver only leaves a session that nothing uses.
            logger.LogWarning(e, "Could not log out Matrix user {UserId}", identity.UserId);
        }
        // Checked again: a token (or a device link) that came meanwhile keeps it; another replica that got there first is fine.
        if (await Orphans().Where(i => i.Id == identity.Id && !db.Devices.Any(d => d.IdentityId == i.Id)).ExecuteDeleteAsync(cancellationToken) > 0)
        {
            logger.LogInformation("Matrix user {UserId} retired: no token uses it", identity.UserId);
            await identities.AnnounceChangeAsync();
        }
        return true;
    }

    /// <summary>Logs each of the identity's devices out of its bridge, forgetting those the bridge confirmed; true when none is left.</summary>
    private async Task<bool> LogOutDevicesAsync(MatrixIdentity identity, CancellationToken cancellationToken)
    {
        var devices = await db.Devices.AsNoTracking().Where(d => d.IdentityId == identity.Id).ToListAsync(cancellationToken);
        var left = 0;
        var session = await sessions.ForIdentityAsync(identity.Id, cancellationToken);
        foreach (var device in devices)
        {
            // A platform no longer configured has no bridge to tell: the device is only forgotten.
            if (bridges.Value.All().GetValueOrDefault(device.Platform) is { } platform
                && await logouts.LogOutAsync(session, platform, device.DeviceId, cancellationToken) is { } error)
            {
                logger.LogWarning("Device {Platform}/{DeviceId} of revoked Matrix user {UserId} is still linked: the bridge did not confirm its logout ({Error}); trying again later",
                    device.Platform, device.DeviceId, identity.UserId, error);
                left++;
                continue;
            }
            await db.Devices.Where(d => d.Id == device.Id && d.IdentityId == identity.Id).ExecuteDeleteAsync(cancellationToken);
            logger.LogInformation("Device {Platform}/{DeviceId} of revoked Matrix user {UserId} logged out of the bridge", device.Platform, device.DeviceId, identity.UserId);
        }
        if (devices.Count > left)
        {
            await access.RevokeAsync();
        }
        return left == 0;
    }

    /// <summary>Identities no token uses, other than the host's (<c>use_host</c> tokens may come for it at any time).</summary>
    private IQueryable<MatrixIdentity> Orphans() =>
        db.MatrixIdentities.Where(i => !i.IsHost && !db.Tokens.Any(t => t.IdentityId == i.Id));
}
