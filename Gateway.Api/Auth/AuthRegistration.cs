using Microsoft.AspNetCore.Authentication;

namespace Gateway.Api.Auth;

public static class AuthRegistration
{
    /// <summary>
    /// The two schemes (Basic for credentials, Bearer for Matrix tokens), the cache of access grants they share, and the
    /// throttle of failed Basic attempts (<c>Auth:FailedAttempts</c>).
    /// </summary>
    public static IHostApplicationBuilder AddGatewayAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<FailedAttemptOptions>().BindConfiguration(FailedAttemptOptions.Section)
            .Validate(o => o.PerClientId > 0 && o.PerAddress > 0 && o.Window >= TimeSpan.FromSeconds(1),
                $"{FailedAttemptOptions.Section}: PerClientId and PerAddress must be positive and Window at least a second.")
            .ValidateOnStart();
        builder.Services.AddSingleton<FailedAttemptThrottle>();
        builder.Services.AddSingleton<AccessCache>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AccessCache>());
        builder.Services.AddScoped<MatrixTokens>();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(AuthSchemes.Basic, null)
            .AddScheme<AuthenticationSchemeOptions, MatrixTokenAuthenticationHandler>(AuthSchemes.MatrixToken, null);
        builder.Services.AddAuthorization();
        return builder;
    }
}
