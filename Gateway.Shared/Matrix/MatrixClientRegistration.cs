using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Shared.Matrix;

public static class MatrixClientRegistration
{
    /// <summary>
    /// Binds <see cref="MatrixOptions"/> (checked at start) and registers <see cref="MatrixClient"/> on the homeserver's
    /// address. The caller adds what its process needs: the Api retries and time accounting, the SyncWorker a long-poll timeout.
    /// </summary>
    public static IHttpClientBuilder AddMatrixClient(this IServiceCollection services)
    {
        services.AddOptions<MatrixOptions>().BindConfiguration(MatrixOptions.Section)
            .Validate(o => o.HomeserverUrl is { IsAbsoluteUri: true }, "Matrix:HomeserverUrl is not set.")
            .ValidateOnStart();
        return services.AddHttpClient<MatrixClient>((provider, http) =>
            http.BaseAddress = provider.GetRequiredService<IOptions<MatrixOptions>>().Value.HomeserverUrl);
    }
}
