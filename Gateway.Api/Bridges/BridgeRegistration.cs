using Gateway.Shared.Bridges;

namespace Gateway.Api.Bridges;

public static class BridgeRegistration
{
    /// <summary>The configured bridges, their management rooms, the commands sent there, the recipients they resolve and the devices linked to them.</summary>
    public static IHostApplicationBuilder AddBridges(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BridgeOptions>().BindConfiguration(BridgeOptions.Section);
        builder.Services.AddScoped<ManagementRooms>();
        builder.Services.AddScoped<BridgeCommands>();
        builder.Services.AddScoped<RecipientResolver>();
        builder.Services.AddScoped<BridgeLogouts>();
        builder.Services.AddScoped<LinkedDevices>();
        return builder;
    }
}
