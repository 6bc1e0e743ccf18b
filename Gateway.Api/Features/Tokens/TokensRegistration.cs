namespace Gateway.Api.Features.Tokens;

public static class TokensRegistration
{
    /// <summary>Issuing and revoking Matrix tokens, and the background cleanup of expired ones.</summary>
    public static IHostApplicationBuilder AddTokens(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TokenIssuer>();
        builder.Services.AddScoped<TokenRevocation>();
        builder.Services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section)
            .Validate(o => o.KeepExpiredFor >= TimeSpan.Zero && o.CleanupInterval > TimeSpan.Zero,
                "Tokens:KeepExpiredFor must not be negative and Tokens:CleanupInterval must be positive")
            .ValidateOnStart();
        builder.Services.AddHostedService<ExpiredTokenCleanup>();
        builder.Services.AddSingleton<IdentityAnnouncements>();
        return builder;
    }
}
