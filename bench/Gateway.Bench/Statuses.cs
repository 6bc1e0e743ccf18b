using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Gateway.Bench;

/// <summary>
/// Status benchmark: messages sent through the API, each told back as <c>message.status</c> <c>sent</c> when the bridge's
/// status event comes; timed from that event (its origin_server_ts, the payload's <c>timestamp</c>) to the webhook's arrival.
/// A gateway without webhook events (the baseline before them) delivers none: reported, not a crash.
/// </summary>
public static class Statuses
{
    public sealed record Result(int Sent, int Told, List<double> LatenciesMs);

    public static async Task<Result> RunAsync(BenchSystem system, BenchTarget target, int messages, int perSecond)
    {
        var port = Inbound.FreePort();
        using var receiver = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
        receiver.Start();
        var latencies = new ConcurrentBag<double>();
        _ = Task.Run(async () =>
        {
            while (receiver.IsListening)
            {
                var context = await receiver.GetContextAsync();
                var arrived = DateTimeOffset.UtcNow;
                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    var payload = JsonNode.Parse(await reader.ReadToEndAsync());
                    if (payload?["event"]?.GetValue<string>() == "message.status" && payload["status"]?.GetValue<string>() == "sent")
                    {
                        var at = DateTimeOffset.Parse(payload["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                        latencies.Add((arrived - at).TotalMilliseconds);
                    }
                }
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });
        using (var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", target.GatewayToken) },
            Content = JsonContent.Create(new { url = $"http://127.0.0.1:{port}/statuses", events = new[] { "message.status" } }),
        })
        {
            (await system.Api.SendAsync(create)).EnsureSuccessStatusCode();
        }

        var sent = 0;
        for (var i = 0; i < messages; i++)
        {
            using var send = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/devices/{target.DeviceId}/message")
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", target.GatewayToken) },
                Content = JsonContent.Create(new { contact = target.Contact, platform = "wa", text = $"status {i}" }),
            };
            using var response = await system.Api.SendAsync(send);
            sent += response.IsSuccessStatusCode ? 1 : 0;
            await Task.Delay(1000 / perSecond);
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (latencies.Count < sent && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        receiver.Stop();
        return new Result(sent, latencies.Count, [.. latencies]);
    }
}
