using Gateway.AppHost;
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);
if (builder.ExecutionContext.IsRunMode)
{
    builder.LoadDotEnv(); // the developer's own settings never go into a deployment
}

var clientId = builder.AddParameterFromConfiguration("client-id", "CLIENT_ID"); // azd asks for it
var clientSecret = builder.AddSecret("client-secret", "CLIENT_SECRET");
var encryptionKey = builder.AddSecret("encryption-key", "GATEWAY_ENCRYPTION_KEY");
// Keys replaced by encryption-key, read until the Api has sealed everything again under the new one (SECURITY.md).
// A deployment sets them in its azd environment (AZURE_PREVIOUS_ENCRYPTION_KEYS), never from this machine's settings.
var encryptionKeys = new EncryptionKeys(encryptionKey, builder.AddParameter("previous-encryption-keys",
    builder.ExecutionContext.IsRunMode ? builder.Configuration["Gateway:PreviousEncryptionKeys"] ?? "" : "", publishValueAsDefault: true));

var infrastructure = builder.AddGatewayInfrastructure();
var sandbox = builder.AddSandboxBridge(infrastructure); // a simulated WhatsApp bridge where no real one is (local mode)

var apiReplicas = builder.Configuration.GetValue("Gateway:ApiReplicas", 1);
var api = builder.AddProject<Projects.Gateway_Api>("api", launchProfileName: null)
    // A fixed port for `make run` only: azd's ingress refuses an external http binding on any port but 80/443.
    .WithHttpEndpoint(port: builder.ExecutionContext.IsRunMode && builder.Configuration.GetValue<int?>("Gateway:ApiPort") is > 0 and var port ? port : null,
        isProxied: builder.ExecutionContext.IsPublishMode || apiReplicas > 1) // one local Api sees each client's own address
    .WithExternalHttpEndpoints()
    .WithReplicas(apiReplicas) // stateless: grants and QR frames go through Redis
    .WithClientAddressesBehindProxies(builder, apiReplicas)
    .WithGatewayDependencies(builder.Configuration, infrastructure, encryptionKeys, sandbox)
    .WithEnvironment("CLIENT_ID", clientId)
    .WithEnvironment("CLIENT_SECRET", clientSecret)
    .WithConfigurationSection(builder.Configuration, "Messages") // send limits
    .WithConfigurationSection(builder.Configuration, "Gateway:Tokens", target: "Tokens") // expired-token cleanup
    .WithConfigurationSection(builder.Configuration, "Gateway:Auth", target: "Auth") // failed Basic-auth throttle
    .WithConfigurationSection(builder.Configuration, "Gateway:Requests", target: "Requests") // request body limit
    .WithConfigurationSection(builder.Configuration, "Gateway:Bridges", target: "Bridges"); // how long to wait for the bot's answers

builder.AddProject<Projects.Gateway_SyncWorker>("syncworker", launchProfileName: null)
    .WithHttpEndpoint()
    // Replicas share the identities by lease; more replicas carry more identities.
    .WithReplicas(builder.Configuration.GetValue("Gateway:SyncWorkerReplicas", 1))
    .WithGatewayDependencies(builder.Configuration, infrastructure, encryptionKeys, sandbox)
    .WithConfigurationSection(builder.Configuration, "Gateway:Incoming", target: "Incoming") // media size and pixel limits
    .WithConfigurationSection(builder.Configuration, "Gateway:Sync", target: "Sync") // lease duration and renewal
    .WaitFor(api); // the Api owns the schema and applies its migrations at start

builder.Build().Run();
