namespace Gateway.Tests.Deployment;

/// <summary>
/// Every way of starting the AppHost gives a system that can link a phone: local mode has no real bridge, so the
/// sandbox comes with it unless told otherwise. Checked on the AppHost's model, as <c>dotnet run</c> builds it.
/// </summary>
[Collection(DeploymentCollection.Name)]
public sealed class StartingTests
{
    [Theory]
    [InlineData(new[] { "--Gateway:Infrastructure=local" }, true)] // dotnet run --project Gateway.AppHost, no Docker
    [InlineData(new[] { "--Gateway:Infrastructure=local", "--Gateway:Sandbox=false" }, false)]
    [InlineData(new[] { "--Gateway:Infrastructure=containers" }, false)] // mautrix-whatsapp runs there
    [InlineData(new[] { "--Gateway:Infrastructure=containers", "--Gateway:Sandbox=true" }, true)]
    public async Task The_sandbox_runs_where_no_real_bridge_does_unless_told_otherwise(string[] settings, bool sandbox)
    {
        var state = Directory.CreateTempSubdirectory("apphost-model-");
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Gateway_AppHost>(
            [.. settings, $"--Gateway:StateDirectory={state.FullName}", "--Gateway:SandboxPort=0"]);

        var names = builder.Resources.Select(r => r.Name).ToList();

        Assert.Equal(sandbox, names.Contains("sandbox"));
        Assert.Contains("api", names);
        Assert.Contains("homeserver", names);
    }
}
