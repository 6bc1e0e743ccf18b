using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Gateway.AppHost;

public static class ConfigurationPassThrough
{
    /// <summary>
    /// Hands a section of the AppHost's configuration to a service as environment variables, under
    /// <paramref name="target"/> (the same name by default).
    /// </summary>
    public static IResourceBuilder<T> WithConfigurationSection<T>(this IResourceBuilder<T> resource, IConfiguration configuration, string section,
        string? target = null) where T : IResourceWithEnvironment
    {
        foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
        {
            if (value is not null)
            {
                resource.WithEnvironment((target is null ? key : target + key[section.Length..]).Replace(":", "__"), value);
            }
        }
        return resource;
    }
}
