using System.Collections.Concurrent;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A validating proxy of real traffic: put in front of a test's client, it lets every request through to the Api and
/// checks it, and the answer, against the OpenAPI document the running Api serves (<see cref="OpenApiContract"/>),
/// collecting what the document does not allow. A client generated from the document breaks where this finds anything.
/// </summary>
/// <example>
/// <code>
/// var traffic = await OpenApiTraffic.OfAsync(app);
/// using var api = traffic.Client();      // instead of app.Api
/// await api.CallAsync(HttpMethod.Post, "/api/v1/tokens", app.SuperAdmin, new { use_host = false });
/// traffic.AssertNoViolations();
/// </code>
/// </example>
public sealed class OpenApiTraffic : DelegatingHandler
{
    private readonly OpenApiContract contract;
    private readonly Uri api;
    private readonly ConcurrentQueue<string> violations = new();
    private int exchanges;

    private OpenApiTraffic(OpenApiContract contract, Uri api, HttpMessageHandler inner) : base(inner) => (this.contract, this.api) = (contract, api);

    /// <summary>The proxy of <paramref name="app"/>'s Api, judged by the document it serves now; <paramref name="inner"/> sends what it lets through.</summary>
    public static async Task<OpenApiTraffic> OfAsync(GatewayApp app, HttpMessageHandler? inner = null) =>
        new(OpenApiContract.Parse(await app.Api.GetStringAsync("/openapi/v1.json")), app.Api.BaseAddress!, inner ?? new SocketsHttpHandler());

    /// <summary>A client of the Api whose traffic goes through this proxy.</summary>
    public HttpClient Client() => new(this, disposeHandler: false) { BaseAddress = api };

    public IReadOnlyCollection<string> Violations => violations;

    /// <summary>Fails with every violation seen, one a line.</summary>
    public void AssertNoViolations()
    {
        Assert.True(exchanges > 0, "No traffic went through the proxy.");
        Assert.True(violations.IsEmpty,
            $"{violations.Count} of what went through the proxy breaks the served OpenAPI document:\n" + string.Join("\n", violations));
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Buffered, so the body is still sent whole (and read by the test) after being looked at here.
        var sent = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        Interlocked.Increment(ref exchanges);
        var exchange = new Exchange(request.Method, request.RequestUri!, request.Content?.Headers.ContentType?.ToString(), sent,
            response.StatusCode, response.Content.Headers.ContentType?.ToString(), answer);
        foreach (var violation in contract.Check(exchange))
        {
            violations.Enqueue(violation);
        }
        return response;
    }
}
