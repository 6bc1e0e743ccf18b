using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Shared.Matrix;

/// <summary>The homeserver the gateway's users live on. Section <c>Matrix</c>.</summary>
public sealed class MatrixOptions
{
    public const string Section = "Matrix";

    /// <summary>The homeserver's client-server API, e.g. <c>http://127.0.0.1:8008</c>.</summary>
    public Uri? HomeserverUrl { get; set; }

    /// <summary>Synapse's <c>registration_shared_secret</c>, for admin registration of the gateway's users (the Api only).</summary>
    public string? RegistrationSharedSecret { get; set; }

    public Uri Homeserver => HomeserverUrl ?? throw new InvalidOperationException("Matrix:HomeserverUrl is not set.");
}

public static class MatrixRegistration
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
            http.BaseAddress = provider.GetRequiredService<IOptions<MatrixOptions>>().Value.Homeserver);
    }
}
