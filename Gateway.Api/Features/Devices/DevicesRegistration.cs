using OpenTelemetry.Instrumentation.AspNetCore;

namespace Gateway.Api.Features.Devices;

public static class DevicesRegistration
{
    /// <summary>Linking a device by QR code, unlinking it, and the lookup of who owns which device.</summary>
    public static IHostApplicationBuilder AddDevices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<DeviceLinking>();
        builder.Services.AddScoped<DeviceUnlinking>();
        builder.Services.AddSingleton<LinkFrameRelay>();
        // The link page's address holds its ticket, in the path where query-string redaction does not reach: traces
        // keep the page's route, never the ticket (as the socket's ?token= is redacted).
        builder.Services.Configure<AspNetCoreTraceInstrumentationOptions>(options => options.EnrichWithHttpRequest = (activity, request) =>
        {
            if (request.Path.StartsWithSegments("/link", out var rest) && rest.Value is { Length: > 1 } ticketAndAfter)
            {
                var end = ticketAndAfter.IndexOf('/', 1);
                activity.SetTag("url.path", "/link/{ticket}" + (end > 0 ? ticketAndAfter[end..] : ""));
            }
        });
        return builder;
    }
}
