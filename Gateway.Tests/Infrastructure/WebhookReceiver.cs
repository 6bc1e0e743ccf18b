using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A customer's webhook endpoint: a real HTTP server on 127.0.0.1 that records every POST and answers with the
/// statuses it is told to (200 once those run out).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At)
    {
        public JsonNode Json => JsonNode.Parse(Body)!;
        public string EventId => Headers["X-Gateway-Event-Id"];

        /// <summary>
        /// Verifies the POST as a customer's receiver does, with the official Standard Webhooks library: the signature
        /// over webhook-id, webhook-timestamp and the body, and a timestamp within 5 minutes of now.
        /// </summary>
        /// <exception cref="WebhookVerificationException">Why the library refused it.</exception>
        public void VerifyWith(string secret) => Verify(new StandardWebhook(secret));

        /// <summary>As <see cref="VerifyWith(string)"/>, with the HMAC key given as bytes (the libraries' raw-key form).</summary>
        public void VerifyWithKey(byte[] key) => Verify(new StandardWebhook(key));

        public bool IsSignedWith(string secret)
        {
            try
            {
                VerifyWith(secret);
                return true;
            }
            catch (WebhookVerificationException)
            {
                return false;
            }
        }

        /// <summary>This POST with one header changed, as an attacker replaying or forging it would send it.</summary>
        public Received WithHeader(string name, string value) =>
            this with { Headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase) { [name] = value } };

        private void Verify(StandardWebhook verifier) =>
            verifier.Verify(Body, new HeaderDictionary(Headers.ToDictionary(h => h.Key, h => new StringValues(h.Value))));
    }

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Received> received = new();
    private readonly ConcurrentQueue<HttpStatusCode> answers = new();
    private HttpStatusCode? always; // read by the server, set by the test: a stale read only delays one answer

    private WebhookReceiver(WebApplication app) => this.app = app;

    public Uri Url { get; private set; } = null!;
    public IReadOnlyList<Received> Requests => [.. received];

    /// <summary>A receiver at the same address as one that was stopped (the customer's server coming back up).</summary>
    public static Task<WebhookReceiver> StartAsync(Uri at) => StartAsync(delay: null, at);

    /// <param name="delay">How long each answer takes (a slow receiver).</param>
    /// <param name="at">The URL to listen at; a free port and a new path by default.</param>
    public static async Task<WebhookReceiver> StartAsync(TimeSpan? delay = null, Uri? at = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(at is null ? "http://127.0.0.1:0" : $"http://127.0.0.1:{at.Port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            receiver.received.Enqueue(new Received(headers, body, DateTimeOffset.UtcNow));
            if (delay is { } wait)
            {
                try
                {
                    await Task.Delay(wait, request.HttpContext.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return Results.Empty; // the sender gave up waiting
                }
            }
            var status = receiver.always ?? (receiver.answers.TryDequeue(out var next) ? next : HttpStatusCode.OK);
            return Results.StatusCode((int)status);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = at ?? new Uri(new Uri(address), "/hooks/" + Guid.NewGuid().ToString("N")[..8]);
        return receiver;
    }

    /// <summary>The next POSTs get these statuses, in order.</summary>
    public void AnswerNext(params HttpStatusCode[] statuses)
    {
        foreach (var status in statuses)
        {
            answers.Enqueue(status);
        }
    }

    /// <summary>Every POST gets <paramref name="status"/> until this is called again with null.</summary>
    public void AnswerAlways(HttpStatusCode? status) => always = status;

    /// <summary>Waits until at least <paramref name="count"/> POSTs arrived.</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        await Eventually.HoldsAsync(() => received.Count >= count, timeout ?? TimeSpan.FromSeconds(30),
            () => $"expected {count} webhook POSTs, got {received.Count}");
        return Requests;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
