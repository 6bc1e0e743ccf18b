using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Startup;

public sealed class RequestLimitOptions
{
    public const string Section = "Requests";

    /// <summary>The largest request body: JSON is all an endpoint takes, unless it says otherwise (docs/api.md#limits: 1 MiB).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}

public static class RequestLimits
{
    /// <summary>
    /// Every request body is at most <c>Requests:MaxBodyBytes</c>. An endpoint that takes more (the send, for its file)
    /// carries a <see cref="Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute"/>, which routing applies before the body is read.
    /// </summary>
    public static IHostApplicationBuilder AddRequestLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RequestLimitOptions>().BindConfiguration(RequestLimitOptions.Section)
            .Validate(o => o.MaxBodyBytes > 0, $"{RequestLimitOptions.Section}:MaxBodyBytes must be positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestLimitOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxBodyBytes);
        return builder;
    }
}
