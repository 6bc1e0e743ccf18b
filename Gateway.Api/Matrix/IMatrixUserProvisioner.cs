namespace Gateway.Api.Matrix;

/// <summary>A Matrix user the gateway created and is logged in as.</summary>
public sealed record ProvisionedMatrixUser(string UserId, string DeviceId, string AccessToken);

/// <summary>
/// Creates the Matrix users behind tokens. Synapse's shared-secret registration is the default; other homeservers
/// (MAS, open registration) get their own implementation.
/// </summary>
public interface IMatrixUserProvisioner
{
    Task<ProvisionedMatrixUser> CreateUserAsync(CancellationToken cancellationToken);

    /// <summary>Ends the user's session (its access token stops working).</summary>
    Task LogoutAsync(string accessToken, CancellationToken cancellationToken);
}

/// <summary>The homeserver could not be reached or refused: nothing was created.</summary>
public sealed class HomeserverUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
