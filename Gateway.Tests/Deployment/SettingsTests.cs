using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.AppHost;
using YamlDotNet.RepresentationModel;

namespace Gateway.Tests.Deployment;

/// <summary>
/// Every setting the manifest gives a container survives azd's trip into its container-app YAML, and the containers'
/// files are rebuilt from them as the programs expect.
/// </summary>
[Collection(DeploymentCollection.Name)]
public sealed class SettingsTests
{
    // Where containerApp.tmpl.yamlt (cli/azd/resources/apphost/templates) pastes each kind of value.
    private static readonly (string Where, Func<string, string> Yaml)[] Placements =
    [
        ("an environment value", value => $"properties:\n  template:\n    containers:\n      - image: i\n        env:\n          - name: K\n            value: {value}\n          - name: L\n            value: l\n"),
        ("a secret", value => $"properties:\n  configuration:\n    secrets:\n      - name: s\n        value: {value}\n      - name: t\n        value: l\n"),
        ("an argument", value => $"properties:\n  template:\n    containers:\n      - image: i\n        args:\n          - {value}\n          - l\n"),
    ];

    [Fact]
    public async Task No_environment_value_or_argument_of_any_resource_holds_a_newline()
    {
        var offending = Settings(await ManifestTests.Manifest.Value).Where(s => s.Value.Contains('\n')).Select(s => $"{s.Resource} {s.Name}").ToList();

        Assert.Empty(offending);
    }

    [Fact]
    public async Task Every_environment_value_and_argument_reads_back_from_the_yaml_azd_writes_for_it()
    {
        var resources = (await ManifestTests.Manifest.Value)["resources"]!.AsObject();
        var failures = new List<string>();

        foreach (var setting in Settings(await ManifestTests.Manifest.Value))
        {
            var evaluated = Azd.Evaluate(resources, setting.Value);
            foreach (var (where, yaml) in Placements.Where(p => setting.Name is null == (p.Where == "an argument")))
            {
                var text = Azd.Fill(yaml(Azd.YamlString(evaluated)));
                try
                {
                    var read = ReadBack(text);
                    if (read != Azd.Fill(evaluated))
                    {
                        failures.Add($"{setting.Resource} {setting.Name ?? "argument"} as {where} reads back as '{read}'");
                    }
                }
                catch (YamlDotNet.Core.YamlException e)
                {
                    failures.Add($"{setting.Resource} {setting.Name ?? "argument"} as {where} does not parse ({e.Message}):\n{text}");
                }
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void The_check_itself_catches_what_azd_cannot_carry()
    {
        // A multi-line file, and a long line with spaces as the old entrypoints were: both broke azd's YAML.
        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => ReadBack(Placements[0].Yaml(Azd.YamlString("a: 1\nb: 2\n"))));
        var folded = "mkdir -p /data/appservices && printf '%s\\n' \"$HOMESERVER_YAML\" > /data/homeserver.yaml && exec /start.py run";
        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => ReadBack(Placements[2].Yaml(Azd.YamlString(folded))));
        // A fold inside a template action is harmless: the action is replaced, newline and all, before the YAML is read.
        var url = "http://homeserver.internal.{{ .Env.AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN }}";
        Assert.Contains('\n', Azd.YamlString(url));
        Assert.Equal(Azd.Fill(url), ReadBack(Azd.Fill(Placements[0].Yaml(Azd.YamlString(url)))));
    }

    [Fact]
    public async Task The_containers_scripts_write_their_files_with_every_marker_replaced()
    {
        var resources = (await ManifestTests.Manifest.Value)["resources"]!.AsObject();
        foreach (var name in new[] { "homeserver", "whatsapp" })
        {
            var env = resources[name]!["env"]!.AsObject().ToDictionary(e => e.Key, e => e.Value!.GetValue<string>());
            var root = Directory.CreateTempSubdirectory("startup-").FullName;
            // The script as the container runs it, under a scratch root and with a launcher that only reports it ran.
            var script = Encoding.UTF8.GetString(Convert.FromBase64String(env[ContainerStartup.ScriptVariable]))
                .Replace(" /data", $" {root}/data").Replace("exec /start.py run", "echo launched").Replace("exec /docker-run.sh", "echo launched");
            var start = new ProcessStartInfo("/bin/sh", ["-c", ContainerStartup.RunScript]) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var (key, value) in env)
            {
                start.Environment[key] = value.StartsWith('{') ? "sample-" + key.ToLowerInvariant().Replace('_', '-') : value;
            }
            start.Environment[ContainerStartup.ScriptVariable] = ContainerStartup.Base64(script);
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.True(process.ExitCode == 0, $"{name}: {output}{await process.StandardError.ReadToEndAsync()}");
            Assert.EndsWith("launched\n", output);
            var files = Directory.EnumerateFiles(Path.Combine(root, "data"), "*.yaml", SearchOption.AllDirectories).ToList();
            Assert.Equal(2, files.Count);
            Assert.Contains("as_token: \"sample-as-token\"", string.Concat(files.Select(File.ReadAllText)));
            foreach (var file in files)
            {
                var text = await File.ReadAllTextAsync(file);
                Assert.DoesNotContain("${", text);
                new YamlStream().Load(new StringReader(text)); // still YAML once filled in
                Assert.Contains("sample-", text); // each file names at least one secret or address
            }
        }
    }

    private sealed record Setting(string Resource, string? Name, string Value);

    /// <summary>Each environment value (with its name) and argument (without) of every service azd deploys.</summary>
    private static IEnumerable<Setting> Settings(JsonObject manifest) =>
        manifest["resources"]!.AsObject()
            .Where(r => r.Value!["type"]!.GetValue<string>() is "container.v0" or "project.v0")
            .SelectMany(r => (r.Value!["env"] as JsonObject ?? []).Select(e => new Setting(r.Key, e.Key, e.Value!.GetValue<string>()))
                .Concat((r.Value["args"] as JsonArray ?? []).Select(a => new Setting(r.Key, null, a!.GetValue<string>()))));

    /// <summary>The first value or argument the skeleton holds, as a YAML reader sees it.</summary>
    private static string ReadBack(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var node = stream.Documents[0].RootNode;
        while (node is not YamlScalarNode)
        {
            node = node switch
            {
                YamlMappingNode map => map.Children.First(c => ((YamlScalarNode)c.Key).Value is not ("image" or "name")).Value,
                YamlSequenceNode sequence => sequence.Children[0],
                _ => throw new InvalidOperationException(),
            };
        }
        return ((YamlScalarNode)node).Value!;
    }
}
