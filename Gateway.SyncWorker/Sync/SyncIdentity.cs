using Gateway.Shared.Matrix;

namespace Gateway.SyncWorker.Sync;

/// <summary>An identity as its sync loop sees it.</summary>
public sealed record SyncIdentity(int Id, string UserId, string AccessToken)
{
    public string Server => MatrixIds.ServerOf(UserId);
}
