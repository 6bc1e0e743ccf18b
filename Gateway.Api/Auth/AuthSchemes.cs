using Gateway.Api.Errors;

namespace Gateway.Api.Auth;

public static class AuthSchemes
{
    /// <summary>CLIENT_ID:CLIENT_SECRET, for /credentials and /tokens.</summary>
    public const string Basic = "Basic";
    /// <summary>A Matrix token <c>mt_…</c>, for /devices and /webhooks.</summary>
    public const string MatrixToken = "Bearer";

    /// <summary>Basic auth with a credential holding <paramref name="scope"/>; too many failed attempts get a 429.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy
            .AddAuthenticationSchemes(Basic)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => Scopes.Grants(context.User, scope)))
            .ProducesErrors(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests);

    /// <summary>A valid, unexpired Matrix token.</summary>
    public static TBuilder RequireMatrixToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.AddAuthenticationSchemes(MatrixToken).RequireAuthenticatedUser())
            .ProducesErrors(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
}
