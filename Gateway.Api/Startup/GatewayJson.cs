using System.Text.Json;

namespace Gateway.Api.Startup;

public static class GatewayJson
{
    /// <summary>The API's JSON as docs/api.md shows it: snake_case names, times in RFC 3339 UTC.</summary>
    public static IServiceCollection AddGatewayJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Converters.Add(new UtcTimestampConverter());
        });
}
