namespace Gateway.Shared.Matrix;

/// <summary>A gateway identity as it acts on Matrix: its row, its user and its (decrypted) access token.</summary>
public sealed record MatrixSession(int IdentityId, string UserId, string AccessToken)
{
    public string Server => MatrixIds.ServerOf(UserId);
}

/// <summary>A logged-in Matrix session the homeserver just created.</summary>
public sealed record MatrixLogin(string UserId, string DeviceId, string AccessToken);
