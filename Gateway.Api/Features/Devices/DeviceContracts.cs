namespace Gateway.Api.Features.Devices;

/// <summary>With a <c>PhoneNumber</c> (international format) the link is by pairing code instead of QR.</summary>
public sealed record AddDeviceRequest(string? Platform, string? PhoneNumber = null);

public sealed record DeviceLinkStarted(string Message, string QrCodeUrl);

public sealed record DeleteDeviceRequest(string? DeviceId, string? Platform);

/// <summary><c>Status</c> is <c>connected</c>, or <c>logged_out</c> when the phone unlinked it (<c>StatusReason</c>: the bridge's words).</summary>
public sealed record DeviceView(string Platform, string DeviceId, string Status, string? StatusReason);
