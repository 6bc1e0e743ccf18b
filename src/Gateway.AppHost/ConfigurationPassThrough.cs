using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Gateway.AppHost;

public static class ConfigurationPassThrough
{
    /// <summary>Hands a section of the AppHost's configuration to a service as is (as environment variables).</summary>
    public static IResourceBuilder<T> WithConfigurationSection<T>(this IResourceBuilder<T> resource, IConfiguration configuration, string section)
        where T : IResourceWithEnvironment
    {
        foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
        {
            if (value is not null)
            {
                resource.WithEnvironment(key.Replace(":", "__"), value);
            }
        }
        return resource;
    }
}
