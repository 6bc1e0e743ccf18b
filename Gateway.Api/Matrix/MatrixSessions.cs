using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Gateway.Shared.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Gateway.Api.Matrix;

/// <summary>
/// Sessions by identity. An identity's user and access token never change once provisioned, so they are kept in
/// memory for a while: a send to a known contact then costs no query for them.
/// </summary>
public sealed class MatrixSessions(GatewayDb db, SecretBox secretBox, IMemoryCache cache)
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(5);

    public async Task<MatrixSession> ForIdentityAsync(int identityId, CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync(("matrix-session", identityId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = KeepFor;
            var identity = await db.MatrixIdentities.AsNoTracking().SingleAsync(i => i.Id == identityId, cancellationToken);
            return new MatrixSession(identity.Id, identity.UserId, secretBox.Open(identity.AccessTokenCipher));
        }))!;
}
