namespace Gateway.Api.Features.Devices;

/// <summary>With a <c>PhoneNumber</c> (international format) the link is by pairing code instead of QR.</summary>
public sealed record AddDeviceRequest(string? Platform, string? PhoneNumber = null);

/// <summary><c>QrCodeUrl</c> is the API client's WebSocket; <c>LinkUrl</c> a page to hand to the person holding the phone.</summary>
public sealed record DeviceLinkStarted(string Message, string QrCodeUrl, string LinkUrl);

public sealed record DeleteDeviceRequest(string? DeviceId, string? Platform);

/// <summary><c>Status</c> is <c>connected</c>, or <c>logged_out</c> when the phone unlinked it (<c>StatusReason</c>: the bridge's words).</summary>
public sealed record DeviceView(string Platform, string DeviceId, string Status, string? StatusReason);
