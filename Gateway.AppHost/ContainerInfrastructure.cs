using Aspire.Hosting.ApplicationModel;
using Gateway.AppHost.Matrix;
using Microsoft.Extensions.Configuration;

namespace Gateway.AppHost;

/// <summary>
/// The whole system as containers, the one model behind the dashboard (<c>dotnet run</c> with Docker) and azd's
/// manifest: Postgres (the gateway's, Synapse's and the bridge's databases), Redis, Synapse and mautrix-whatsapp. The
/// two Matrix programs get their files from <see cref="HomeserverYaml"/>, <see cref="AppServiceRegistrationYaml"/> and
/// <see cref="WhatsAppBridgeConfig"/>, rendered from generated secret parameters and handed over as environment
/// variables that a <c>/bin/sh</c> entrypoint writes out before starting the image's own launcher (README.md#deploy).
/// With <c>Gateway:ExternalHomeserver=true</c> an existing homeserver and bridge are used instead.
/// </summary>
public static class ContainerInfrastructure
{
    public const string SynapseImage = "matrixdotorg/synapse", SynapseTag = "v1.160.0"; // the version the local chroot tests
    public const string BridgeImage = "dock.mau.dev/mautrix/whatsapp", BridgeTag = "v0.2608.0";
    private const int SynapsePort = 8008;

    // Databases a deployment must have before Synapse and the bridge start. Postgres runs this on its first start (a new
    // volume); run mode also creates them on a volume kept from before. Synapse refuses any collation but C.
    private const string SynapseDatabase = "synapse", BridgeDatabase = "mautrix_whatsapp";
    private const string CreateSynapseDatabase = $"CREATE DATABASE {SynapseDatabase} ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0;";
    private const string CreateBridgeDatabase = $"CREATE DATABASE {BridgeDatabase};";

    public static GatewayInfrastructure AddContainerInfrastructure(this IDistributedApplicationBuilder builder, string serverName)
    {
        // Alphanumeric, so it fits as is in Synapse's YAML and in the bridge's database URI.
        var postgres = builder.AddPostgres("postgres", password: builder.AddSecret("postgres-password"))
            .WithEntrypoint("/bin/sh")
            .WithArgs("-c", "printf '%s\\n' \"$INIT_SQL\" > /docker-entrypoint-initdb.d/10-matrix.sql && exec docker-entrypoint.sh postgres")
            .WithEnvironment("INIT_SQL", $"{CreateSynapseDatabase}\n{CreateBridgeDatabase}");
        var redis = builder.AddRedis("redis");
        if (builder.ExecutionContext.IsRunMode)
        {
            // Not in a deployment: Postgres cannot initialise its data on Azure Files (README.md#deploy).
            postgres.WithDataVolume();
            redis.WithDataVolume();
        }
        var homeserver = builder.Configuration.GetValue<bool>("Gateway:ExternalHomeserver")
            ? ExternalHomeserver(builder, serverName)
            : builder.AddMatrixContainers(postgres, serverName);
        return new(postgres.AddDatabase("gateway"), redis, homeserver);
    }

    /// <summary>An existing homeserver (with its bridge already registered): its URL and admin registration secret.</summary>
    private static Homeserver ExternalHomeserver(IDistributedApplicationBuilder builder, string serverName)
    {
        var url = builder.AddParameter("homeserver-url");
        var secret = builder.AddParameter("homeserver-registration-secret", secret: true);
        return new Homeserver(null, ReferenceExpression.Create($"{url}"), ReferenceExpression.Create($"{secret}"), serverName);
    }

    private static Homeserver AddMatrixContainers(this IDistributedApplicationBuilder builder, IResourceBuilder<PostgresServerResource> postgres,
        string serverName)
    {
        postgres.AddDatabase("synapse-db", SynapseDatabase).WithCreationScript(CreateSynapseDatabase);
        var bridgeDatabase = postgres.AddDatabase("whatsapp-db", BridgeDatabase).WithCreationScript(CreateBridgeDatabase);
        var registrationSecret = builder.AddSecret("homeserver-registration-secret");
        var asToken = builder.AddSecret("whatsapp-as-token");
        var hsToken = builder.AddSecret("whatsapp-hs-token");

        var homeserver = builder.AddContainer("homeserver", SynapseImage, SynapseTag)
            .WithHttpEndpoint(targetPort: SynapsePort, name: "http")
            .WithVolume("homeserver-data", "/data") // signing key and media
            .WithHttpHealthCheck("/health")
            .WaitFor(postgres);
        var bridge = builder.AddContainer("whatsapp", BridgeImage, BridgeTag)
            .WithHttpEndpoint(targetPort: WhatsAppBridgeConfig.Port, name: "http")
            .WaitFor(bridgeDatabase)
            .WaitFor(homeserver);
        var homeserverUrl = ReferenceExpression.Create($"{homeserver.GetEndpoint("http")}");

        var registration = AppServiceRegistrationYaml.Render(new("whatsapp", ReferenceExpression.Create($"{bridge.GetEndpoint("http")}"),
            Reference(asToken), Reference(hsToken), WhatsAppBridgeConfig.BotLocalpart, WhatsAppBridgeConfig.GhostPrefix, serverName));
        var server = postgres.Resource;
        var homeserverYaml = HomeserverYaml.Render(new(serverName, "0.0.0.0", SynapsePort, "/data",
            new SynapseDatabase.Postgres(
                ReferenceExpression.Create($"{server.PrimaryEndpoint.Property(EndpointProperty.Host)}"),
                ReferenceExpression.Create($"{server.PrimaryEndpoint.Property(EndpointProperty.Port)}"),
                server.UserNameReference, Reference(server.PasswordParameter), SynapseDatabase),
            Reference(registrationSecret), Reference(builder.AddSecret("homeserver-macaroon-secret")), Reference(builder.AddSecret("homeserver-form-secret")),
            ["/data/appservices/whatsapp.yaml"]));
        var bridgeConfig = WhatsAppBridgeConfig.Render(new(homeserverUrl, serverName, ReferenceExpression.Create($"{bridge.GetEndpoint("http")}"),
            Reference(asToken), Reference(hsToken), bridgeDatabase.Resource.UriExpression));

        homeserver.WithEntrypoint("/bin/sh")
            .WithArgs("-c", "mkdir -p /data/appservices && printf '%s\\n' \"$HOMESERVER_YAML\" > /data/homeserver.yaml"
                + " && printf '%s\\n' \"$WHATSAPP_REGISTRATION\" > /data/appservices/whatsapp.yaml"
                + " && chown -R 991:991 /data && exec /start.py run")
            .WithEnvironment("HOMESERVER_YAML", homeserverYaml)
            .WithEnvironment("WHATSAPP_REGISTRATION", registration);
        bridge.WithEntrypoint("/bin/sh")
            .WithArgs("-c", "printf '%s\\n' \"$BRIDGE_CONFIG\" > /data/config.yaml"
                + " && printf '%s\\n' \"$WHATSAPP_REGISTRATION\" > /data/registration.yaml && exec /docker-run.sh")
            .WithEnvironment("BRIDGE_CONFIG", bridgeConfig)
            .WithEnvironment("WHATSAPP_REGISTRATION", registration);

        return new Homeserver(homeserver, homeserverUrl, Reference(registrationSecret), serverName);
    }

    private static ReferenceExpression Reference(IResourceBuilder<ParameterResource> parameter) => ReferenceExpression.Create($"{parameter}");

    private static ReferenceExpression Reference(ParameterResource parameter) => ReferenceExpression.Create($"{parameter}");
}
