using Aspire.Hosting.ApplicationModel;
using Gateway.AppHost.Matrix;
using Microsoft.Extensions.Configuration;

namespace Gateway.AppHost;

/// <summary>
/// The whole system as containers, the one model behind the dashboard (<c>dotnet run</c> with Docker) and azd's
/// manifest: PostgreSQL (the gateway's, Synapse's and the bridge's databases: a container locally, an Azure flexible
/// server in a deployment), Redis, Synapse and mautrix-whatsapp. The two Matrix programs get their files from
/// <see cref="HomeserverYaml"/>, <see cref="AppServiceRegistrationYaml"/> and <see cref="WhatsAppBridgeConfig"/>, written
/// at start from generated secret parameters (<see cref="ContainerStartup"/>, README.md#deploy). With
/// <c>Gateway:ExternalHomeserver=true</c> an existing homeserver and bridge are used instead.
/// </summary>
public static class ContainerInfrastructure
{
    public const string SynapseImage = "matrixdotorg/synapse", SynapseTag = "v1.160.0"; // the version the local chroot tests
    public const string BridgeImage = "dock.mau.dev/mautrix/whatsapp", BridgeTag = "v0.2608.0";
    private const int SynapsePort = 8008;

    // The databases Synapse and the bridge need; Synapse refuses any collation but C. A deployment declares all three in
    // infra/postgres.bicep, run mode creates them in its Postgres container.
    public const string GatewayDatabase = "gateway", SynapseDatabase = "synapse", BridgeDatabase = "mautrix_whatsapp";
    private const string CreateSynapseDatabase = $"CREATE DATABASE {SynapseDatabase} ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0;";

    public static GatewayInfrastructure AddContainerInfrastructure(this IDistributedApplicationBuilder builder, string serverName)
    {
        // Alphanumeric, so it fits as is in Synapse's YAML and in the bridge's database URI.
        var password = builder.AddSecret("postgres-password");
        var database = builder.ExecutionContext.IsPublishMode ? AzureDatabaseServer(builder, password) : ContainerDatabaseServer(builder, password);
        var redis = builder.AddRedis("redis"); // holds nothing that must outlive it (DESIGN.md): no volume in a deployment
        if (builder.ExecutionContext.IsRunMode)
        {
            redis.WithDataVolume();
        }
        var homeserver = builder.Configuration.GetValue<bool>("Gateway:ExternalHomeserver")
            ? ExternalHomeserver(builder, serverName)
            : builder.AddMatrixContainers(database, serverName);
        return new(database.AddDatabase("gateway", GatewayDatabase), redis, homeserver);
    }

    /// <summary>A deployment's: an Azure flexible server (<see cref="AzurePostgresResource"/>), reached over TLS.</summary>
    private static DatabaseServer AzureDatabaseServer(IDistributedApplicationBuilder builder, IResourceBuilder<ParameterResource> password)
    {
        var server = builder.AddAzurePostgres("postgres", password);
        return new DatabaseServer(
            ReferenceExpression.Create($"{server.Resource.Host}"), InfrastructureExtensions.Literal(AzurePostgresResource.Port.ToString()),
            InfrastructureExtensions.Literal(AzurePostgresResource.AdministratorLogin), Reference(password), "require",
            (name, database) => builder.AddConnectionString(name, server.Resource.Database(database)));
    }

    /// <summary>Run mode's (Docker): a Postgres container with its data on a volume.</summary>
    private static DatabaseServer ContainerDatabaseServer(IDistributedApplicationBuilder builder, IResourceBuilder<ParameterResource> password)
    {
        var postgres = builder.AddPostgres("postgres", password: password).WithDataVolume();
        var server = postgres.Resource;
        return new DatabaseServer(
            ReferenceExpression.Create($"{server.PrimaryEndpoint.Property(EndpointProperty.Host)}"),
            ReferenceExpression.Create($"{server.PrimaryEndpoint.Property(EndpointProperty.Port)}"),
            server.UserNameReference, Reference(password), "disable",
            (name, database) => database == SynapseDatabase
                ? postgres.AddDatabase(name, database).WithCreationScript(CreateSynapseDatabase)
                : postgres.AddDatabase(name, database));
    }

    /// <summary>An existing homeserver (with its bridge already registered): its URL and admin registration secret.</summary>
    private static Homeserver ExternalHomeserver(IDistributedApplicationBuilder builder, string serverName)
    {
        var url = builder.AddParameter("homeserver-url");
        var secret = builder.AddParameter("homeserver-registration-secret", secret: true);
        return new Homeserver(null, ReferenceExpression.Create($"{url}"), ReferenceExpression.Create($"{secret}"), serverName);
    }

    /// <summary>Synapse and mautrix-whatsapp, each writing its files at start (<see cref="ContainerStartup.WithStartupFiles"/>).</summary>
    private static Homeserver AddMatrixContainers(this IDistributedApplicationBuilder builder, DatabaseServer database, string serverName)
    {
        var synapseDatabase = database.AddDatabase("synapse-db", SynapseDatabase);
        var bridgeDatabase = database.AddDatabase("whatsapp-db", BridgeDatabase);
        var registrationSecret = builder.AddSecret("homeserver-registration-secret");

        var homeserver = builder.AddContainer("homeserver", SynapseImage, SynapseTag)
            .WithHttpEndpoint(targetPort: SynapsePort, name: "http")
            .WithVolume("homeserver-data", "/data") // signing key and media: an Azure Files share in a deployment
            .WithHttpHealthCheck("/health")
            .WaitFor(synapseDatabase);
        var bridge = builder.AddContainer("whatsapp", BridgeImage, BridgeTag)
            .WithHttpEndpoint(targetPort: WhatsAppBridgeConfig.Port, name: "http")
            .WaitFor(bridgeDatabase)
            .WaitFor(homeserver);
        var homeserverUrl = ReferenceExpression.Create($"{homeserver.GetEndpoint("http")}");

        // What both files name, each filled in at start from a variable of its own.
        var registration = AppServiceRegistrationYaml.Render(new("whatsapp", ContainerStartup.Marker("BRIDGE_URL"),
            ContainerStartup.Marker("AS_TOKEN"), ContainerStartup.Marker("HS_TOKEN"), WhatsAppBridgeConfig.BotLocalpart,
            WhatsAppBridgeConfig.GhostPrefix, serverName));
        var shared = new Dictionary<string, ReferenceExpression>
        {
            ["BRIDGE_URL"] = ReferenceExpression.Create($"{bridge.GetEndpoint("http")}"),
            ["AS_TOKEN"] = Reference(builder.AddSecret("whatsapp-as-token")),
            ["HS_TOKEN"] = Reference(builder.AddSecret("whatsapp-hs-token")),
            ["DATABASE_HOST"] = database.Host,
            ["DATABASE_PORT"] = database.Port,
            ["DATABASE_USER"] = database.User,
            ["DATABASE_PASSWORD"] = database.Password,
        };

        var homeserverYaml = HomeserverYaml.Render(new(serverName, "0.0.0.0", SynapsePort, "/data",
            new SynapseDatabase.Postgres(ContainerStartup.Marker("DATABASE_HOST"), ContainerStartup.Marker("DATABASE_PORT"),
                ContainerStartup.Marker("DATABASE_USER"), ContainerStartup.Marker("DATABASE_PASSWORD"), SynapseDatabase, database.SslMode),
            ContainerStartup.Marker("REGISTRATION_SECRET"), ContainerStartup.Marker("MACAROON_SECRET"), ContainerStartup.Marker("FORM_SECRET"),
            ["/data/appservices/whatsapp.yaml"]));
        homeserver.WithStartupFiles(
            [new("/data/homeserver.yaml", "HOMESERVER_YAML", homeserverYaml), new("/data/appservices/whatsapp.yaml", "WHATSAPP_REGISTRATION", registration)],
            new Dictionary<string, ReferenceExpression>(shared)
            {
                ["REGISTRATION_SECRET"] = Reference(registrationSecret),
                ["MACAROON_SECRET"] = Reference(builder.AddSecret("homeserver-macaroon-secret")),
                ["FORM_SECRET"] = Reference(builder.AddSecret("homeserver-form-secret")),
            },
            // Azure Files refuses chown ("Operation not permitted") and mounts its shares writable by all: Synapse (991) writes there anyway.
            "chown -R 991:991 /data 2>/dev/null || echo 'chown of /data refused: it stays as mounted'\nexec /start.py run");

        var bridgeConfig = WhatsAppBridgeConfig.Render(new(ContainerStartup.Marker("HOMESERVER_URL"), serverName, ContainerStartup.Marker("BRIDGE_URL"),
            ContainerStartup.Marker("AS_TOKEN"), ContainerStartup.Marker("HS_TOKEN"),
            InfrastructureExtensions.Literal($"postgres://${{DATABASE_USER}}:${{DATABASE_PASSWORD}}@${{DATABASE_HOST}}:${{DATABASE_PORT}}/{BridgeDatabase}?sslmode={database.SslMode}")));
        bridge.WithStartupFiles(
            [new("/data/config.yaml", "BRIDGE_CONFIG", bridgeConfig), new("/data/registration.yaml", "WHATSAPP_REGISTRATION", registration)],
            new Dictionary<string, ReferenceExpression>(shared) { ["HOMESERVER_URL"] = homeserverUrl },
            "exec /docker-run.sh");

        return new Homeserver(homeserver, homeserverUrl, Reference(registrationSecret), serverName);
    }

    private static ReferenceExpression Reference(IResourceBuilder<ParameterResource> parameter) => ReferenceExpression.Create($"{parameter}");
}

/// <summary>
/// The PostgreSQL server of the containers' databases: how Synapse and the bridge reach it (they write their own
/// connection settings), the TLS mode it wants, and how a database of it is added for a service to reference.
/// </summary>
public sealed record DatabaseServer(ReferenceExpression Host, ReferenceExpression Port, ReferenceExpression User, ReferenceExpression Password,
    string SslMode, Func<string, string, IResourceBuilder<IResourceWithConnectionString>> AddDatabase);
