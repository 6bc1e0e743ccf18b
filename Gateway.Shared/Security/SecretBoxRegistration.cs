using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Shared.Security;

public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddSecretBox(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(_ => new SecretBox(configuration["Gateway:EncryptionKey"]
            ?? throw new InvalidOperationException("Gateway:EncryptionKey is not set (base64 of 32 random bytes).")));
}
