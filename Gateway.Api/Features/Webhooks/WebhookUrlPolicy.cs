using System.Net;
using System.Net.Sockets;
using Gateway.Shared.Webhooks;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Features.Webhooks;

/// <summary>
/// Which URLs may receive webhooks: absolute http(s) URLs whose host is, or resolves to, public addresses only
/// (<see cref="WebhookAddresses"/>), unless <c>Webhooks:AllowPrivateNetworks</c> is on. A name that does not resolve
/// gets the same answer as one that resolves privately, so the answer never tells a caller which internal names
/// exist. The worker checks the address again when it connects, so a name that is re-pointed later is still refused.
/// </summary>
public sealed class WebhookUrlPolicy(IOptions<WebhookOptions> options, ILogger<WebhookUrlPolicy> logger)
{
    public const string InvalidFormat = "Invalid URL format";
    public const string NotAllowed = "Webhook URL not allowed";
    private const int MaxLength = 2048;

    /// <summary>The URL when it is an absolute http or https URL with a host, else null.</summary>
    public static Uri? Parse(string url) =>
        url.Length <= MaxLength
        && Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0
            ? uri
            : null;

    public async Task<bool> IsAllowedAsync(Uri url, CancellationToken cancellationToken)
    {
        if (options.Value.AllowPrivateNetworks)
        {
            return true;
        }
        if (IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var literal))
        {
            return WebhookAddresses.IsPublic(literal);
        }
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(url.IdnHost, cancellationToken);
            return addresses.All(WebhookAddresses.IsPublic);
        }
        catch (SocketException e)
        {
            logger.LogInformation("Webhook host {Host} does not resolve ({Error}); refused", url.IdnHost, e.SocketErrorCode);
            return false;
        }
    }
}
