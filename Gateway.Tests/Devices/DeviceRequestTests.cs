using System.Net;
using System.Net.WebSockets;
using Gateway.Tests.Foundation;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Devices;

/// <summary>Device requests that are refused before any bridge is involved.</summary>
[Collection(FoundationCollection.Name)]
public sealed class DeviceRequestTests(FoundationApp app)
{
    [Theory]
    [InlineData("{}", "Missing required field: platform")]
    [InlineData("""{"platform":""}""", "Missing required field: platform")]
    [InlineData("""{"platform":"icq"}""", "Unsupported platform: icq")]
    [InlineData("""{"platform":""" + "42}", "Invalid request body. Must be a JSON object.")]
    public async Task Adding_a_device_validates_the_platform(string body, string error)
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);

        var response = await app.Api.CallRawAsync(HttpMethod.Post, "/api/v1/devices", Auth.Bearer(token), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(error, response.Error);
    }

    [Theory]
    [InlineData("""{"platform":"wa"}""", 400, "Missing required field: device_id")]
    [InlineData("""{"device_id":"237123456789"}""", 400, "Missing required field: platform")]
    [InlineData("""{"device_id":"237123456789","platform":"wa"}""", 404, "Device not found")]
    public async Task Deleting_a_device_validates_and_finds_only_the_callers_devices(string body, int status, string error)
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);

        var response = await app.Api.CallRawAsync(HttpMethod.Delete, "/api/v1/devices", Auth.Bearer(token), body);

        Assert.Equal(status, (int)response.Status);
        Assert.Equal(error, response.Error);
    }

    [Fact]
    public async Task The_qr_socket_without_a_token_is_401()
    {
        var response = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices/qr-code");

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("missing token query parameter", response.Error);
    }

    [Theory]
    [InlineData("mt_not-a-real-token", 403, "invalid or expired token")]
    [InlineData("lt_spent-or-unknown-ticket", 403, "invalid or expired token")]
    [InlineData("hello", 401, "invalid token format")]
    public async Task The_qr_socket_refuses_bad_tokens_before_upgrading(string token, int status, string error)
    {
        var response = await app.Api.CallAsync(HttpMethod.Get, $"/api/v1/devices/qr-code?token={token}");

        Assert.Equal(status, (int)response.Status);
        Assert.Equal(error, response.Error);
        await Assert.ThrowsAsync<WebSocketException>(() => QrSocket.ConnectAsync(app.QrSocketUrl(token)));
    }

    [Fact]
    public async Task The_qr_socket_with_no_pending_link_says_so_and_closes()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);

        await using var socket = await QrSocket.ConnectAsync(app.QrSocketUrl(token));
        var frame = await socket.NextFrameAsync();

        Assert.Equal("error", frame!["type"]!.GetValue<string>());
        Assert.Equal("You have no pending devices to add. Add a device and try again.", frame["error"]!.GetValue<string>());
        Assert.Null(await socket.NextFrameAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }
}
