namespace Gateway.Api.Features.Devices;

public static class DevicesRegistration
{
    /// <summary>Linking a device by QR code, unlinking it, and the lookup of who owns which device.</summary>
    public static IHostApplicationBuilder AddDevices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<DeviceLinking>();
        builder.Services.AddScoped<DeviceUnlinking>();
        builder.Services.AddScoped<LinkedDevices>();
        builder.Services.AddSingleton<LinkFrameRelay>();
        return builder;
    }
}
