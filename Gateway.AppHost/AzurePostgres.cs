using Aspire.Hosting.ApplicationModel;

namespace Gateway.AppHost;

/// <summary>
/// A deployment's PostgreSQL: an Azure Database for PostgreSQL flexible server declared in <c>infra/postgres.bicep</c>
/// (its data outlives every container), written to the manifest as azd's <c>azure.bicep.v0</c>, the type
/// Aspire's Azure integrations write: azd provisions it and hands its outputs (<c>{postgres.outputs.host}</c>) to the
/// services. Its three databases (the gateway's, Synapse's with C collation, the bridge's) are declared there too.
/// </summary>
public sealed class AzurePostgresResource(string name, ParameterResource password)
    : Resource(name), IResourceWithConnectionString
{
    /// <summary>The server's administrator, the login every database is reached with (<c>infra/postgres.bicep</c>).</summary>
    public const string AdministratorLogin = "gatewayadmin";

    public const int Port = 5432;

    public ParameterResource Password { get; } = password;

    /// <summary>The server's host name, known once azd has provisioned it.</summary>
    public BicepOutputReference Host => new(this, "host");

    // The password comes first: azd folds a value at a space past column 80, and its secured-parameter placeholder has spaces.
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Password={Password};Host={Host};Port={Port.ToString()};Username={AdministratorLogin};SslMode=Require");

    public ReferenceExpression Database(string database) => ReferenceExpression.Create($"{this};Database={database}");
}

/// <summary>An output of an <c>azure.bicep.v0</c> resource, which only azd can fill in: a deployment has no run mode.</summary>
public sealed class BicepOutputReference(IResource resource, string output) : IManifestExpressionProvider, IValueProvider, IValueWithReferences
{
    public string ValueExpression => $"{{{resource.Name}.outputs.{output}}}";

    public IEnumerable<object> References => [resource];

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException($"{ValueExpression} is known only to a deployment (azd).");
}

public static class AzurePostgresExtensions
{
    public static IResourceBuilder<AzurePostgresResource> AddAzurePostgres(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> password)
    {
        var bicep = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "infra", "postgres.bicep"));
        var server = new AzurePostgresResource(name, password.Resource);
        return builder.AddResource(server)
            .WithManifestPublishingCallback(context =>
            {
                context.Writer.WriteString("type", "azure.bicep.v0");
                context.Writer.WriteString("connectionString", server.ConnectionStringExpression.ValueExpression);
                context.Writer.WriteString("path", context.GetManifestRelativePath(bicep));
                context.Writer.WriteStartObject("params");
                context.Writer.WriteString("administratorLoginPassword", password.Resource.ValueExpression);
                context.Writer.WriteEndObject();
            });
    }
}
