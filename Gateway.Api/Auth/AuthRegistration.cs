using Microsoft.AspNetCore.Authentication;

namespace Gateway.Api.Auth;

public static class AuthRegistration
{
    /// <summary>The two schemes (Basic for credentials, Bearer for Matrix tokens) and the cache of access grants they share.</summary>
    public static IHostApplicationBuilder AddGatewayAuth(this IHostApplicationBuilder builder)
    {
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
