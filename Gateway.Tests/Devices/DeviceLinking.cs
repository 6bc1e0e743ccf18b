using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Sandbox;

namespace Gateway.Tests.Devices;

/// <summary>Linking a device the way a user does: POST /devices, the QR socket, a phone scanning the code.</summary>
public static class DeviceLinking
{
    public static async Task<Uri> StartLinkAsync(this SandboxApp app, string token)
    {
        var response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/devices", Auth.Bearer(token), new { platform = "wa" });
        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal("Scan the QR code to link your device", response.Body!["message"]!.GetValue<string>());
        return new Uri(response.Body["qr_code_url"]!.GetValue<string>());
    }

    /// <summary>Starts a link as the API client does and returns both addresses: its socket's and its page's.</summary>
    public static async Task<(Uri Socket, Uri Page)> StartPageLinkAsync(this SandboxApp app, string token, string? phoneNumber = null)
    {
        var response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/devices", Auth.Bearer(token),
            phoneNumber is null ? new { platform = "wa" } : new { platform = "wa", phone_number = phoneNumber });
        Assert.Equal(HttpStatusCode.Created, response.Status);
        var page = response.Body!["link_url"]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"POST /devices gave no link_url: {response.Body}");
        return (new Uri(response.Body["qr_code_url"]!.GetValue<string>()), new Uri(page));
    }

    /// <summary>The QR code (or pairing code) the sandbox's phone would accept now for this token's Matrix user.</summary>
    public static async Task<string?> CurrentSandboxCodeAsync(this SandboxApp app, string token)
    {
        var userId = await app.MatrixUserIdOfAsync(token);
        return (await app.ControlAsync(HttpMethod.Get, "/sandbox/logins")).Body!["pending"]!.AsArray()
            .FirstOrDefault(p => p!["user_id"]!.GetValue<string>() == userId)?["current_code"]?.GetValue<string>();
    }

    public static Task<ApiResponse> ScanAsync(this SandboxApp app, string code, string phone) =>
        app.ControlAsync(HttpMethod.Post, "/sandbox/scan", new { code, phone });

    /// <summary>A new token with its own Matrix identity and a linked phone; returns the token and the device id.</summary>
    public static async Task<(string Token, string DeviceId)> NewLinkedDeviceAsync(this SandboxApp app, AuthenticationHeaderValue? credential = null)
    {
        var (_, token) = await app.CreateTokenAsync(credential ?? app.SuperAdmin);
        var phone = SandboxApp.NewPhone();
        await app.LinkAsync(token, phone);
        return (token, phone);
    }

    /// <summary>A use_host token with a device linked to the host identity (making a host first if there is none).</summary>
    public static async Task<(string Token, string DeviceId)> EnsureHostDeviceAsync(this SandboxApp app)
    {
        var response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", app.SuperAdmin, new { use_host = true });
        if (response.Status == HttpStatusCode.BadRequest)
        {
            await app.CreateTokenAsync(app.SuperAdmin); // the first token ever: its identity becomes the host
            response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", app.SuperAdmin, new { use_host = true });
        }
        var token = response.Body!["token"]!.GetValue<string>();
        var phone = SandboxApp.NewPhone();
        await app.LinkAsync(token, phone);
        return (token, phone);
    }

    public static async Task LinkAsync(this SandboxApp app, string token, string phone)
    {
        await using var socket = await QrSocket.ConnectAsync(await app.StartLinkAsync(token));
        var qr = await socket.NextFrameAsync();
        Assert.Equal("qr", qr!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await app.ScanAsync(qr["code"]!.GetValue<string>(), phone)).Status);
        JsonNode? frame;
        do
        {
            frame = await socket.NextFrameAsync();
        }
        while (frame?["type"]?.GetValue<string>() == "qr"); // a refresh may slip in before the scan lands
        Assert.Equal("success", frame!["type"]!.GetValue<string>());
    }
}
