using System.Net;
using System.Security.Cryptography;
using Gateway.Shared.Matrix;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Matrix;

/// <summary>Registers users through Synapse's admin API with the registration shared secret; the answer is a logged-in session.</summary>
public sealed class SynapseAdminProvisioner(MatrixClient matrix, IOptions<MatrixOptions> options, ILogger<SynapseAdminProvisioner> logger)
    : IMatrixUserProvisioner
{
    public async Task<MatrixLogin> CreateUserAsync(CancellationToken cancellationToken)
    {
        // Matrix localparts are lower case; 12 random characters keep ids short, like the "to" example in docs/api.md#payload.
        var username = "gw" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        try
        {
            return await matrix.RegisterAsync(options.Value.RegistrationSharedSecret!, username, password, cancellationToken);
        }
        catch (MatrixException e)
        {
            logger.LogError("Homeserver refused registration: {Error}", e.Message);
            throw;
        }
    }

    public async Task LogoutAsync(string accessToken, CancellationToken cancellationToken)
    {
        try
        {
            await matrix.LogoutAsync(accessToken, cancellationToken);
        }
        catch (MatrixException e)
        {
            if (e.Status != HttpStatusCode.Unauthorized) // 401: the session is already gone, which is what we wanted
            {
                logger.LogWarning("Logout of a Matrix session failed with {Status}", (int)e.Status);
            }
        }
    }
}
