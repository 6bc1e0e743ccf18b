using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// An OTLP/HTTP endpoint on 127.0.0.1 that keeps every export the services send (traces, logs, metrics) as it arrived:
/// what an operator's collector would store. Protobuf carries strings as plain UTF-8, so a token that was exported
/// can be found in the bytes without decoding them.
/// </summary>
public sealed class TelemetryReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> exports = new();

    private TelemetryReceiver(WebApplication app) => this.app = app;

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<TelemetryReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new TelemetryReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver.exports.Enqueue((signal, body.ToArray()));
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    /// <summary>Whether any export so far holds <paramref name="text"/>.</summary>
    public bool Contains(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return exports.Any(export => export.Body.AsSpan().IndexOf(needle) >= 0);
    }

    /// <summary>Every span exported so far.</summary>
    public IReadOnlyList<Otlp.Span> Spans => [.. exports.Where(e => e.Signal == "traces").SelectMany(e => Otlp.Spans(e.Body))];

    /// <summary>Every metric data point exported so far, oldest export first.</summary>
    public IReadOnlyList<Otlp.Point> Points => [.. exports.Where(e => e.Signal == "metrics").SelectMany(e => Otlp.Points(e.Body))];

    /// <summary>
    /// Waits until a span holding <paramref name="marker"/> (a request made after everything the test checks) has
    /// arrived, then for the logs exported alongside: they travel in batches of their own.
    /// </summary>
    public async Task WaitForEverythingBeforeAsync(string marker)
    {
        await Eventually.HoldsAsync(() => Contains(marker), TimeSpan.FromSeconds(30), () => $"{marker} was never exported");
        await Task.Delay(TimeSpan.FromSeconds(1)); // the services send each batch within 200 ms (OTEL_BLRP_SCHEDULE_DELAY)
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
