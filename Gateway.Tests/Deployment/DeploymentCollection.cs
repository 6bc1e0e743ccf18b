namespace Gateway.Tests.Deployment;

/// <summary>
/// The deployment checks start their own AppHost process, PostgreSQL and Synapse: they run alone, after the app
/// fixtures, so they never compete with an app's start for the machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeploymentCollection
{
    public const string Name = "deployment";
}
