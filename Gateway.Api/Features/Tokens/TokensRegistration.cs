namespace Gateway.Api.Features.Tokens;

public static class TokensRegistration
{
    /// <summary>Issuing and revoking Matrix tokens, the background cleanup of expired ones, and the retirement of identities no token uses.</summary>
    public static IHostApplicationBuilder AddTokens(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TokenIssuer>();
        builder.Services.AddScoped<TokenRevocation>();
        builder.Services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section)
            .Validate(o => o.KeepExpiredFor >= TimeSpan.Zero && o.CleanupInterval > TimeSpan.Zero && o.RetireRetryInterval > TimeSpan.Zero,
                "Tokens:KeepExpiredFor must not be negative, and Tokens:CleanupInterval and Tokens:RetireRetryInterval must be positive")
            .ValidateOnStart();
        builder.Services.AddHostedService<ExpiredTokenCleanup>();
        builder.Services.AddSingleton<RevokedIdentities>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RevokedIdentities>());
        builder.Services.AddSingleton<IdentityAnnouncements>();
        return builder;
    }
}
