using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Webhooks;

/// <summary>What a phone and its contacts do, through the sandbox bridge's control API.</summary>
public static class SandboxSteps
{
    public sealed record Incoming(string EventId, string RoomId, string Sender);

    /// <summary>A phone number no other test uses.</summary>
    public static string NewPhone() => "2376" + Random.Shared.NextInt64(10_000_000, 99_999_999);

    /// <summary>
    /// Links a phone to the token's Matrix user as a user does: POST /devices (through <paramref name="api"/> when given,
    /// a proxy's client say), open the QR socket, scan.
    /// </summary>
    public static async Task<string> LinkDeviceAsync(this WebhooksApp app, string token, string? phone = null, HttpClient? api = null)
    {
        phone ??= NewPhone();
        var started = await (api ?? app.Api).CallAsync(HttpMethod.Post, "/api/v1/devices", Auth.Bearer(token), new { platform = "wa" });
        Assert.Equal(HttpStatusCode.Created, started.Status);
        await using var socket = await QrSocket.ConnectAsync(new Uri(started.Body!["qr_code_url"]!.GetValue<string>()));
        while (true)
        {
            var frame = await socket.NextFrameAsync(TimeSpan.FromSeconds(60)) ?? throw new InvalidOperationException("QR socket closed early");
            switch (frame["type"]!.GetValue<string>())
            {
                case "qr":
                    var scan = await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/scan", json: new { code = frame["code"]!.GetValue<string>(), phone });
                    Assert.True(scan.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, $"scan: {scan.Status} {scan.Body}");
                    break; // on a conflict the code was refreshed meanwhile: the next frame has the new one
                case "success":
                    return frame["device_id"]!.GetValue<string>();
                default:
                    throw new InvalidOperationException($"Linking failed: {frame.ToJsonString()}");
            }
        }
    }

    /// <summary>A contact (or, with <paramref name="group"/>, a group member) sends a message to the device.</summary>
    public static async Task<Incoming> ReceiveAsync(this WebhooksApp app, string deviceId, string from, string? text = null,
        string? group = null, object? media = null, bool fromMe = false)
    {
        var response = await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/incoming",
            json: new { device_id = deviceId, from, text, group, media, from_me = fromMe });
        Assert.True(response.Status == HttpStatusCode.OK, $"sandbox incoming: {response.Status} {response.Body}");
        var body = response.Body!;
        return new Incoming(body["event_id"]!.GetValue<string>(), body["room_id"]!.GetValue<string>(), body["sender"]!.GetValue<string>());
    }

    public static async Task<string> MatrixUserIdAsync(this GatewayApp app, int tokenId)
    {
        var tokens = (await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", app.SuperAdmin)).Body!.AsArray();
        return tokens.Single(t => t!["id"]!.GetValue<int>() == tokenId)!["matrix_user_id"]!.GetValue<string>();
    }

    public static JsonObject NoMedia() => new()
    {
        ["content"] = null,
        ["info"] = new JsonObject { ["size"] = 0, ["mime_type"] = "", ["width"] = 0, ["height"] = 0, ["blur_hash"] = "", ["file_name"] = "" },
    };
}
