using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Shared.Security;

/// <summary>
/// The process's <see cref="SecretBox"/>, keyed by <c>Gateway:EncryptionKey</c> and, while a key change settles,
/// <c>Gateway:PreviousEncryptionKeys</c> (the same in the Api and the SyncWorker). The previous keys are one
/// comma-separated setting, since deployments pass each setting as one environment variable.
/// </summary>
public static class SecretBoxRegistration
{
    public static IServiceCollection AddSecretBox(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(_ => new SecretBox(configuration["Gateway:EncryptionKey"]
            ?? throw new InvalidOperationException("Gateway:EncryptionKey is not set (base64 of 32 random bytes)."),
            configuration["Gateway:PreviousEncryptionKeys"]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? []));
}
