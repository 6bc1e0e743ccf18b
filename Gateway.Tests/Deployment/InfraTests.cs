using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Gateway.Tests.Deployment;

/// <summary>
/// <c>infra/</c> (what azd provisions) and <c>Gateway.AppHost/infra/*.tmpl.yaml</c> (what it deploys each service with)
/// are what <c>azd infra gen</c> would write for the AppHost's manifest, plus what a production deployment needs:
/// checked by the Bicep compiler against Azure's types, and against the manifest so that neither drifts from the other.
/// </summary>
[Collection(DeploymentCollection.Name)]
public sealed partial class InfraTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Projects.Gateway_AppHost.ProjectPath, ".."));
    private static readonly string Templates = Path.Combine(Projects.Gateway_AppHost.ProjectPath, "infra");
    private static readonly string[] Singletons = ["homeserver", "whatsapp", "redis"];

    [Fact]
    public async Task The_bicep_compiler_builds_and_lints_infra_with_no_error_and_no_warning()
    {
        foreach (var command in new[] { "build", "lint" })
        {
            var (exitCode, output) = await BicepAsync(command, Path.Combine(Root, "infra", "main.bicep"), command == "build" ? "--stdout" : "");

            Assert.True(exitCode == 0, $"bicep {command}: {output}");
            Assert.DoesNotMatch(@"(?i)\b(error|warning)\b", command == "build" ? output.Split("\n{")[0] : output);
        }
    }

    [Fact]
    public void Every_template_parses_once_azd_has_filled_it_and_no_singleton_can_scale_out()
    {
        var services = Services();

        Assert.All(Singletons, name => Assert.Equal(("1", "1"), (Scalar(services[name], "properties", "template", "scale", "minReplicas"),
            Scalar(services[name], "properties", "template", "scale", "maxReplicas"))));
        Assert.All(services.Keys.Except(Singletons), name => Assert.Equal("1", Scalar(services[name], "properties", "template", "scale", "minReplicas")));
        foreach (var name in new[] { "api", "syncworker" })
        {
            var probes = ((YamlSequenceNode)Container(services[name])["probes"]).Cast<YamlMappingNode>()
                .ToDictionary(p => Scalar(p, "type"), p => Scalar(p, "httpGet", "path"));
            Assert.Equal(new Dictionary<string, string> { ["Startup"] = "/health", ["Liveness"] = "/alive" }, probes);
        }
        // The Api is the one public endpoint, HTTPS only; http transport carries its QR WebSocket.
        Assert.Equal(("true", "http", "false"), (Scalar(services["api"], "properties", "configuration", "ingress", "external"),
            Scalar(services["api"], "properties", "configuration", "ingress", "transport"),
            Scalar(services["api"], "properties", "configuration", "ingress", "allowInsecure")));
        Assert.All(services.Keys.Except(["api"]), name => Assert.Equal("false", Scalar(services[name], "properties", "configuration", "ingress", "external")));
        // Synapse's signing key and media outlive its container, on the share resources.bicep declares.
        var volume = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)services["homeserver"]["properties"])["template"]["volumes"]).Children[0];
        Assert.Equal("AzureFile", Scalar(volume, "storageType"));
        Assert.Equal("/data", Scalar((YamlMappingNode)((YamlSequenceNode)Container(services["homeserver"])["volumeMounts"]).Children[0], "mountPath"));
    }

    [Fact]
    public async Task The_templates_and_main_bicep_match_the_manifest_service_for_service_and_setting_for_setting()
    {
        var resources = (await ManifestTests.Manifest.Value)["resources"]!.AsObject();
        var services = Services();
        var deployed = resources.Where(r => r.Value!["type"]!.GetValue<string>() is "container.v0" or "project.v0").ToList();

        Assert.Equal(deployed.Select(r => r.Key).Order(), services.Keys.Order());
        foreach (var (name, resource) in deployed)
        {
            var template = File.ReadAllText(Path.Combine(Templates, $"{name}.tmpl.yaml"));
            var container = Container(services[name]);
            var configuration = (YamlMappingNode)((YamlMappingNode)services[name]["properties"])["configuration"];
            var secrets = configuration.Children.TryGetValue("secrets", out var declared)
                ? ((YamlSequenceNode)declared).Cast<YamlMappingNode>().ToDictionary(s => Scalar(s, "name"), s => Scalar(s, "value"))
                : [];
            var env = ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>()
                .Where(e => Scalar(e, "name") != "AZURE_CLIENT_ID") // azd's own: the managed identity
                .ToDictionary(e => Scalar(e, "name"), e => e.Children.ContainsKey("secretRef") ? secrets[Scalar(e, "secretRef")] : Scalar(e, "value"));
            var expected = (resource!["env"] as JsonObject ?? []).ToDictionary(e => e.Key, e => Azd.Fill(Azd.Evaluate(resources, e.Value!.GetValue<string>())));

            var missing = expected.Keys.Except(env.Keys).Select(key =>
                $"          - name: {key}\n            value: {Azd.YamlString(Azd.Evaluate(resources, resource["env"]![key]!.GetValue<string>()))}");
            Assert.True(expected.Keys.Order().SequenceEqual(env.Keys.Order()), $"{name}.tmpl.yaml lacks what the manifest sets (a secret goes by "
                + $"secretRef):\n{string.Join("\n", missing)}\nand sets what it does not: {string.Join(", ", env.Keys.Except(expected.Keys))}");
            Assert.All(expected, e => Assert.True(e.Value == env[e.Key],
                $"{name}.tmpl.yaml: {e.Key} is not what the manifest gives it; azd would write:\n{Azd.Evaluate(resources, resource["env"]![e.Key]!.GetValue<string>())}"));
            // A secret is never a plain value: whatever holds a secured parameter goes by secretRef, as azd does it.
            Assert.All(((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().Where(e => e.Children.ContainsKey("value")),
                e => Assert.DoesNotContain("securedParameter", Scalar(e, "value")));
            Assert.Equal((resource["args"] as JsonArray ?? []).Select(a => Azd.Fill(Azd.Evaluate(resources, a!.GetValue<string>()))),
                container.Children.TryGetValue("args", out var args) ? ((YamlSequenceNode)args).Select(a => ((YamlScalarNode)a).Value!) : []);
            Assert.Equal(resource["entrypoint"]?.GetValue<string>() is { } entrypoint ? $"[{entrypoint}]" : null,
                CommandLine().Match(template) is { Success: true } command ? command.Groups[1].Value : null);
        }
    }

    [Fact]
    public async Task Every_parameter_and_output_a_template_reads_is_declared_by_main_bicep_as_azd_would()
    {
        var resources = (await ManifestTests.Manifest.Value)["resources"]!.AsObject();
        var main = await File.ReadAllTextAsync(Path.Combine(Root, "infra", "main.bicep"));
        var parameters = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Root, "infra", "main.parameters.json")))!["parameters"]!.AsObject();
        var declared = BicepParameter().Matches(main).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["secure"].Success);
        var outputs = BicepOutput().Matches(main).Select(m => m.Groups[1].Value).ToHashSet();
        var read = Directory.EnumerateFiles(Templates, "*.tmpl.yaml").SelectMany(f => Azd.Actions(File.ReadAllText(f))).ToHashSet();

        // A parameter without a default is asked for or generated at provision: azd's main.bicep declares each (secure when secret).
        foreach (var (name, parameter) in resources.Where(r => r.Value!["type"]!.GetValue<string>() == "parameter.v0"))
        {
            var input = parameter!["inputs"]!["value"]!;
            var snake = name.Replace('-', '_');
            if (input["default"]?["value"] is not null)
            {
                continue; // read at deploy from the azd environment, AZURE_<NAME> (parameterWithDefault)
            }
            Assert.True(declared.TryGetValue(snake, out var secure), $"main.bicep does not declare {snake}");
            Assert.Equal(input["secret"]?.GetValue<bool>() == true, secure);
            Assert.Equal("${AZURE_" + snake.ToUpperInvariant() + "}", parameters[snake]?["value"]?.GetValue<string>());
            Assert.Equal(secure, main.Contains($"@metadata({{azd: {{\n  type: 'generate'\n  config: {{length:{input["default"]?["generate"]?["minLength"]},noSpecial:true}}\n  }}\n}})\n@secure()\nparam {snake} string"));
        }
        Assert.All(read.Where(a => a.Kind is "securedParameter" or "parameter"), a => Assert.True(declared.ContainsKey(a.Name), $"{a.Kind} {a.Name} is not in main.bicep"));
        Assert.All(read.Where(a => a.Kind == "Env"), a => Assert.True(outputs.Contains(a.Name) || a.Name == "AZURE_LOCATION", $".Env.{a.Name} is no output of main.bicep"));
        Assert.All(read.Where(a => a.Kind == "parameterWithDefault"), a => Assert.True(resources.ContainsKey(a.Name.Replace('_', '-'))));
    }

    /// <summary>Each service's template, filled as a deploy fills it and parsed.</summary>
    private static Dictionary<string, YamlMappingNode> Services() =>
        Directory.EnumerateFiles(Templates, "*.tmpl.yaml").ToDictionary(f => Path.GetFileName(f)[..^".tmpl.yaml".Length], f =>
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(Azd.Fill(File.ReadAllText(f))));
            return (YamlMappingNode)stream.Documents[0].RootNode;
        });

    private static YamlMappingNode Container(YamlMappingNode service) =>
        (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)service["properties"])["template"])["containers"]).Children[0];

    private static string Scalar(YamlMappingNode node, params string[] path) =>
        ((YamlScalarNode)path.Aggregate((YamlNode)node, (n, key) => ((YamlMappingNode)n)[key])).Value!;

    /// <summary>The Bicep compiler from its NuGet package (Azure.Bicep.CommandLine.linux-x64), offline: its Azure types are built in.</summary>
    private static async Task<(int ExitCode, string Output)> BicepAsync(params string[] args)
    {
        var bicep = typeof(InfraTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPath").Value!;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(bicep, File.GetUnixFileMode(bicep) | UnixFileMode.UserExecute); // NuGet does not keep the mode
        }
        var start = new ProcessStartInfo(bicep, args.Where(a => a.Length > 0)) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stderr + await stdout);
    }

    [GeneratedRegex(@"^(?<secure>@secure\(\)\n)?param (?<name>\w+) ", RegexOptions.Multiline)]
    private static partial Regex BicepParameter();

    [GeneratedRegex(@"^output (\w+) ", RegexOptions.Multiline)]
    private static partial Regex BicepOutput();

    [GeneratedRegex(@"^        command: (\[.*\])$", RegexOptions.Multiline)]
    private static partial Regex CommandLine();
}
