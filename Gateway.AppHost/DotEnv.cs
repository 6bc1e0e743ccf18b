using Microsoft.Extensions.Configuration;
namespace Gateway.AppHost;

public static class DotEnvExtensions
{
    /// <summary>
    /// Reads the repository's <c>.env</c> (written by <c>make run</c>) into configuration, under anything already set
    /// by the environment or the command line.
    /// </summary>
    public static void LoadDotEnv(this IDistributedApplicationBuilder builder)
    {
        var path = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".env"));
        if (!File.Exists(path))
        {
            return;
        }
        var values = DotNetEnv.Env.NoEnvVars().Load(path)
            .Where(pair => builder.Configuration[pair.Key] is null)
            .ToDictionary(pair => pair.Key, pair => (string?)pair.Value);
        builder.Configuration.AddInMemoryCollection(values);
    }
}
