using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Gateway.Bench;

/// <summary>The two ways of sending one text message, timed per message.</summary>
public static class Senders
{
    public static async Task<List<double>> ThroughGatewayAsync(BenchSystem system, BenchTarget target, int count)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/devices/{target.DeviceId}/message")
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", target.GatewayToken) },
                Content = JsonContent.Create(new { contact = target.Contact, platform = "wa", text = $"gateway {i}" }),
            };
            var started = Stopwatch.GetTimestamp();
            using var response = await system.Api.SendAsync(request);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            response.EnsureSuccessStatusCode();
        }
        return latencies;
    }

    public static async Task<List<double>> DirectAsync(BenchSystem system, BenchTarget target, int count)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var path = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(target.RoomId)}/send/m.room.message/{Guid.NewGuid():N}";
            using var request = new HttpRequestMessage(HttpMethod.Put, path)
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", target.MatrixAccessToken) },
                Content = JsonContent.Create(new { msgtype = "m.text", body = $"direct {i}" }),
            };
            var started = Stopwatch.GetTimestamp();
            using var response = await system.Homeserver.SendAsync(request);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            response.EnsureSuccessStatusCode();
        }
        return latencies;
    }
}
