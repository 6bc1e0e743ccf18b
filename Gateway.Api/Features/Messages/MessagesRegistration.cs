using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Api.Features.Messages;

public static class MessagesRegistration
{
    /// <summary>The largest file a send may carry (docs/api.md#limits: 100 MiB by default).</summary>
    private const long DefaultMaxFileBytes = 100L * 1024 * 1024;

    /// <summary>Sending and the actions on messages, their per-device rate limit, and the form reader's limit: a file of <c>Messages:MaxFileBytes</c> at most.</summary>
    public static IHostApplicationBuilder AddMessages(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<MessageSender>();
        builder.Services.AddScoped<ChatMessages>();
        builder.Services.AddScoped<SendPermits>();
        builder.Services.AddOptions<MessageActionOptions>().BindConfiguration("Messages");
        builder.Services.AddSingleton<SendRateLimiter>();
        builder.Services.AddOptions<SendRateLimitOptions>().BindConfiguration(SendRateLimitOptions.Section);
        var maxFileBytes = builder.Configuration.GetValue("Messages:MaxFileBytes", DefaultMaxFileBytes);
        builder.Services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = maxFileBytes);
        return builder;
    }
}
