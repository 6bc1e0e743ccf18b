namespace Gateway.Api.Features.Devices;

public sealed record AddDeviceRequest(string? Platform);

public sealed record DeviceLinkStarted(string Message, string QrCodeUrl);

public sealed record DeleteDeviceRequest(string? DeviceId, string? Platform);

public sealed record DeviceView(string Platform, string DeviceId);
