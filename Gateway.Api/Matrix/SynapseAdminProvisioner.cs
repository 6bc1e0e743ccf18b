using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Matrix;

/// <summary>
/// Registers users through Synapse's admin API (<c>/_synapse/admin/v1/register</c>): a nonce, then an HMAC-SHA1
/// over nonce, user name, password and admin flag keyed with the registration shared secret. The answer is a
/// logged-in session (access token and device id), so no separate login is needed.
/// </summary>
public sealed class SynapseAdminProvisioner(HttpClient http, IOptions<MatrixOptions> options, ILogger<SynapseAdminProvisioner> logger)
    : IMatrixUserProvisioner
{
    private const string RegisterPath = "/_synapse/admin/v1/register";

    public async Task<ProvisionedMatrixUser> CreateUserAsync(CancellationToken cancellationToken)
    {
        var secret = options.Value.RegistrationSharedSecret
            ?? throw new HomeserverUnavailableException("The homeserver registration secret is not configured.");
        // Matrix localparts are lower case; 12 random characters keep ids short, like the seed's examples.
        var username = "gw" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        try
        {
            var nonce = (await http.GetFromJsonAsync<NonceResponse>(RegisterPath, cancellationToken))!.Nonce;
            var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{nonce}\0{username}\0{password}\0notadmin"));
            using var response = await http.PostAsJsonAsync(RegisterPath,
                new RegisterRequest(nonce, username, password, Convert.ToHexStringLower(mac)), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                logger.LogError("Homeserver refused registration: {Status} {Body}", (int)response.StatusCode, body);
                throw new HomeserverUnavailableException("The homeserver refused to create the Matrix user.");
            }
            var registered = (await response.Content.ReadFromJsonAsync<RegisterResponse>(cancellationToken))!;
            return new ProvisionedMatrixUser(registered.UserId, registered.DeviceId, registered.AccessToken);
        }
        catch (Exception e) when (e is HttpRequestException or Polly.ExecutionRejectedException
            or TaskCanceledException { CancellationToken.IsCancellationRequested: false })
        {
            throw new HomeserverUnavailableException("The homeserver is unreachable.", e);
        }
    }

    public async Task LogoutAsync(string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_matrix/client/v3/logout")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", accessToken) },
            Content = JsonContent.Create(new { }),
        };
        using var response = await http.SendAsync(request, cancellationToken);
        // 401 means the session is already gone, which is what we wanted.
        if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.Unauthorized)
        {
            logger.LogWarning("Logout of a Matrix session failed with {Status}", (int)response.StatusCode);
        }
    }

    private sealed record NonceResponse([property: JsonPropertyName("nonce")] string Nonce);

    private sealed record RegisterRequest(
        [property: JsonPropertyName("nonce")] string Nonce,
        [property: JsonPropertyName("username")] string Username,
        [property: JsonPropertyName("password")] string Password,
        [property: JsonPropertyName("mac")] string Mac)
    {
        [JsonPropertyName("admin")] public bool Admin => false;
    }

    private sealed record RegisterResponse(
        [property: JsonPropertyName("user_id")] string UserId,
        [property: JsonPropertyName("device_id")] string DeviceId,
        [property: JsonPropertyName("access_token")] string AccessToken);
}
