using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Gateway.Shared.Webhooks;
using Microsoft.Extensions.Options;

namespace Gateway.SyncWorker.Delivery;

/// <summary>
/// POSTs one delivery, signed as Standard Webhooks (standardwebhooks.com) says, so receivers verify it with the
/// official libraries. Connections are only opened to addresses the SSRF rule allows, checked on the address actually dialled.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory httpClients, IOptions<WebhookOptions> options, TimeProvider clock)
{
    public const string HttpClientName = "webhooks";
    public const string UserAgent = "Gateway-Webhook/1.0";

    public async Task<WebhookDeliveryAttempt> SendAsync(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        var body = delivery.Payload;
        // The delivery row is one event for one webhook, so its id is the same on every retry, as webhook-id must be.
        var id = delivery.Id.ToString(CultureInfo.InvariantCulture);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.UserAgent.ParseAdd(UserAgent);
        request.Headers.Add("X-Gateway-Event-Id", delivery.EventId);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", Signature(delivery.Secret, id, timestamp, body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return WebhookDeliveryAttempt.OfStatus((int)response.StatusCode, RetryAfterOf(response));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return WebhookDeliveryAttempt.NetworkError($"No response within {options.Value.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e) when (e.InnerException is AddressRefusedException refused)
        {
            return WebhookDeliveryAttempt.Refused(refused.Message);
        }
        catch (HttpRequestException e)
        {
            return WebhookDeliveryAttempt.NetworkError(e.HttpRequestError == HttpRequestError.Unknown ? e.Message : $"{e.HttpRequestError}: {e.Message}");
        }
    }

    /// <summary><c>v1,</c> + base64 HMAC-SHA256(key, id + "." + timestamp + "." + body).</summary>
    private static string Signature(string secret, string id, string timestamp, byte[] body)
    {
        // By hand rather than with the StandardWebhooks package, whose Sign takes the body as a string: a body that
        // carries a file would be copied twice more (to a string, then back to bytes). Hashed in parts for the same reason.
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, WebhookSecret.SigningKey(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes(id + "." + timestamp + "."));
        hmac.AppendData(body);
        return "v1," + Convert.ToBase64String(hmac.GetHashAndReset());
    }

    private TimeSpan? RetryAfterOf(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - clock.GetUtcNow(),
            _ => null,
        };

    /// <summary>
    /// The webhook client's own handler: no proxy (it would hide the address), no redirects (they could lead inside),
    /// and a connect callback that resolves the host and dials only addresses the SSRF rule allows.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(WebhookOptions settings) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2), // re-resolve names now and then
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = settings.AllowPrivateNetworks ? addresses : addresses.Where(WebhookAddresses.IsPublic).ToArray();
            if (allowed.Length == 0)
            {
                throw new AddressRefusedException($"Webhook URL not allowed: {host} resolves to a private or reserved address");
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private sealed class AddressRefusedException(string message) : Exception(message);
}
