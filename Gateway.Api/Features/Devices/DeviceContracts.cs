namespace Gateway.Api.Features.Devices;

/// <summary>With a <c>PhoneNumber</c> (international format) the link is by pairing code instead of QR.</summary>
public sealed record AddDeviceRequest(string? Platform, string? PhoneNumber = null);

/// <summary><c>QrCodeUrl</c> is the API client's WebSocket; <c>LinkUrl</c> a page to hand to the person holding the phone.</summary>
public sealed record DeviceLinkStarted(string Message, string QrCodeUrl, string LinkUrl);

public sealed record DeleteDeviceRequest(string? DeviceId, string? Platform);

/// <summary><c>Status</c> is <c>connected</c>, or <c>logged_out</c> when the phone unlinked it (<c>StatusReason</c>: the bridge's words).</summary>
public sealed record DeviceView(string Platform, string DeviceId, string Status, string? StatusReason);

/// <summary>What the OpenAPI document shows for each operation.</summary>
internal static class DeviceExamples
{
    public static readonly AddDeviceRequest Add = new("wa");
    public static readonly DeviceLinkStarted Started =
        new("Scan the QR code to link your device", "wss://gateway.example.com/api/v1/devices/qr-code?token=lt_Vx2b9TQ0aJ6kC1mZ8pLr4sNw",
            "https://gateway.example.com/link/lt_Q7hN3cE5uY1oB8xK2dW6jRfz");
    public static readonly DeviceView[] Listed = [new("wa", "237123456789", "connected", null)];
    public static readonly DeleteDeviceRequest Delete = new("237123456789", "wa");
}
