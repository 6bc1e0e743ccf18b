using Gateway.Data;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Matrix;

/// <summary>An identity as the Api acts for it: who it is on Matrix and its (decrypted) access token.</summary>
public sealed record MatrixSession(int IdentityId, string UserId, string AccessToken)
{
    public string Server => MatrixIds.ServerOf(UserId);
}

public sealed class MatrixSessions(GatewayDb db, SecretBox secretBox)
{
    public async Task<MatrixSession> ForIdentityAsync(int identityId, CancellationToken cancellationToken)
    {
        var identity = await db.MatrixIdentities.AsNoTracking().SingleAsync(i => i.Id == identityId, cancellationToken);
        return new MatrixSession(identity.Id, identity.UserId, secretBox.Open(identity.AccessTokenCipher));
    }
}
