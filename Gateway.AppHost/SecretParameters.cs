using Aspire.Hosting.ApplicationModel;

namespace Gateway.AppHost;

public static class SecretParameters
{
    /// <summary>
    /// A secret that a deployment generates once and keeps (azd stores it in its environment; run mode in user
    /// secrets). Run mode takes it from <paramref name="configurationKey"/> instead when it is set (<c>make run</c>'s <c>.env</c>).
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddSecret(this IDistributedApplicationBuilder builder, string name, string? configurationKey = null) =>
        builder.ExecutionContext.IsRunMode && configurationKey is not null && builder.Configuration[configurationKey] is { Length: > 0 }
            ? builder.AddParameterFromConfiguration(name, configurationKey, secret: true)
            : builder.AddParameter(name, new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);
}
