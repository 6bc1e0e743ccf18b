using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Api.Features.Messages;

public static class MessagesRegistration
{
    /// <summary>The largest file a send may carry (docs/api.md#limits: 100 MiB by default).</summary>
    private const long DefaultMaxFileBytes = 100L * 1024 * 1024;

    /// <summary>Sending, its per-device rate limit, and request size limits that let a file of <c>Messages:MaxFileBytes</c> through.</summary>
    public static IHostApplicationBuilder AddMessages(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<MessageSender>();
        builder.Services.AddSingleton<SendRateLimiter>();
        builder.Services.AddOptions<SendRateLimitOptions>().BindConfiguration(SendRateLimitOptions.Section);
        var maxFileBytes = builder.Configuration.GetValue("Messages:MaxFileBytes", DefaultMaxFileBytes);
        builder.Services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = maxFileBytes);
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = maxFileBytes + 1024 * 1024); // the file plus its fields
        return builder;
    }
}
