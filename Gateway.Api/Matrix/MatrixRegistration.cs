using Gateway.Shared.Matrix;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Matrix;

public static class MatrixRegistration
{
    /// <summary>
    /// The homeserver as the Api uses it: the shared <see cref="MatrixClient"/>, timed per request for
    /// <c>Server-Timing</c>, retrying only calls that are safe to repeat; the user provisioner; sessions by identity;
    /// and a health check.
    /// </summary>
    public static IHostApplicationBuilder AddHomeserver(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHttpContextAccessor();
        services.AddScoped<UpstreamTime>();
        services.AddTransient<HomeserverTimingHandler>();
        services.AddMatrixClient()
            .AddHttpMessageHandler<HomeserverTimingHandler>() // outside the retries: a request waits for all its attempts
            .RetryingOnlyRepeatableCalls();
        services.AddOptions<MatrixOptions>()
            .Validate(o => !string.IsNullOrEmpty(o.RegistrationSharedSecret), "Matrix:RegistrationSharedSecret is not set: the Api registers its users with it.");
        services.AddScoped<IMatrixUserProvisioner, SynapseAdminProvisioner>();
        services.AddScoped<MatrixSessions>();
        services.AddHealthChecks().AddUrlGroup(
            provider => new Uri(provider.GetRequiredService<IOptions<MatrixOptions>>().Value.HomeserverUrl, "/health"), name: "homeserver");
        return builder;
    }

    /// <summary>
    /// The standard resilience handler, retrying only calls that are safe to repeat. It would retry every method, and a
    /// repeated POST is not safe here: a second admin <c>register</c> spends a used nonce after the user may already
    /// exist, a second <c>createRoom</c> makes a second room, a second upload a second file. PUTs carry transaction ids
    /// (the homeserver de-duplicates them) and GETs only read, so they keep their retries.
    /// </summary>
    private static IHttpClientBuilder RetryingOnlyRepeatableCalls(this IHttpClientBuilder http)
    {
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is experimental, but the documented way to replace the defaults' handler
        http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        http.AddStandardResilienceHandler(options => options.Retry.DisableFor(HttpMethod.Post));
        return http;
    }
}
