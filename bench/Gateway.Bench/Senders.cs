using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Gateway.Bench;

/// <summary>The two ways of sending one text message, timed per message.</summary>
public static class Senders
{
    /// <param name="OwnMs">Each send's latency minus the homeserver and bridge time the gateway reports in <c>Server-Timing</c>.</param>
    public sealed record GatewaySends(List<double> LatenciesMs, List<double> OwnMs);

    public static async Task<GatewaySends> ThroughGatewayAsync(BenchSystem system, BenchTarget target, int count)
    {
        var latencies = new List<double>(count);
        var own = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/devices/{target.DeviceId}/message")
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", target.GatewayToken) },
                Content = JsonContent.Create(new { contact = target.Contact, platform = "wa", text = $"gateway {i}" }),
            };
            var started = Stopwatch.GetTimestamp();
            using var response = await system.Api.SendAsync(request);
            var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            response.EnsureSuccessStatusCode();
            latencies.Add(latency);
            // homeserver;dur=12.3, bridge;dur=0.0: what the send waited on them, the rest is the gateway's own time
            var waited = response.Headers.GetValues("Server-Timing").Single().Split(',')
                .Sum(metric => double.Parse(metric[(metric.IndexOf("dur=", StringComparison.Ordinal) + 4)..], CultureInfo.InvariantCulture));
            own.Add(latency - waited);
        }
        return new GatewaySends(latencies, own);
    }

    public static async Task<List<double>> DirectAsync(BenchSystem system, BenchTarget target, int count)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await system.Matrix.SendTextAsync(target.MatrixAccessToken, target.RoomId, $"direct {i}", CancellationToken.None);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return latencies;
    }
}
