using Gateway.AppHost;
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);
builder.LoadDotEnv();

var clientId = builder.AddParameterFromConfiguration("client-id", "CLIENT_ID");
var clientSecret = builder.AddParameterFromConfiguration("client-secret", "CLIENT_SECRET", secret: true);
var encryptionKey = builder.AddParameterFromConfiguration("encryption-key", "GATEWAY_ENCRYPTION_KEY", secret: true);

var infrastructure = builder.AddGatewayInfrastructure();
var sandbox = builder.AddSandboxBridge(infrastructure); // with Gateway:Sandbox=true: a simulated WhatsApp bridge

var api = builder.AddProject<Projects.Gateway_Api>("api", launchProfileName: null)
    .WithHttpEndpoint(port: builder.Configuration.GetValue<int?>("Gateway:ApiPort") is > 0 and var port ? port : null)
    .WithExternalHttpEndpoints()
    .WithGatewayDependencies(builder.Configuration, infrastructure, encryptionKey, sandbox)
    .WithEnvironment("CLIENT_ID", clientId)
    .WithEnvironment("CLIENT_SECRET", clientSecret)
    .WithConfigurationSection(builder.Configuration, "Messages") // send limits
    .WithConfigurationSection(builder.Configuration, "Gateway:Tokens", target: "Tokens") // expired-token cleanup
    .WithConfigurationSection(builder.Configuration, "Gateway:Auth", target: "Auth") // failed Basic-auth throttle
    .WithConfigurationSection(builder.Configuration, "Gateway:Requests", target: "Requests") // request body limit
    .WithConfigurationSection(builder.Configuration, "Gateway:Bridges", target: "Bridges"); // how long to wait for the bot's answers

builder.AddProject<Projects.Gateway_SyncWorker>("syncworker", launchProfileName: null)
    .WithHttpEndpoint()
    .WithGatewayDependencies(builder.Configuration, infrastructure, encryptionKey, sandbox)
    .WithConfigurationSection(builder.Configuration, "Gateway:Incoming", target: "Incoming") // media size and pixel limits
    .WaitFor(api); // the Api owns the schema and applies its migrations at start

builder.Build().Run();
