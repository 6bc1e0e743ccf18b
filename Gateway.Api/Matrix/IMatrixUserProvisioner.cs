using Gateway.Shared.Matrix;

namespace Gateway.Api.Matrix;

/// <summary>
/// Creates the Matrix users behind tokens. Synapse's shared-secret registration is the default; other homeservers
/// (MAS, open registration) get their own implementation. Failures are <see cref="MatrixException"/> (refused) or
/// <see cref="HttpRequestException"/> (unreachable), and leave nothing created.
/// </summary>
public interface IMatrixUserProvisioner
{
    Task<MatrixLogin> CreateUserAsync(CancellationToken cancellationToken);

    /// <summary>Ends the user's session (its access token stops working).</summary>
    Task LogoutAsync(string accessToken, CancellationToken cancellationToken);
}
