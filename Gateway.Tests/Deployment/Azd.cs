using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gateway.Tests.Deployment;

/// <summary>
/// What azd does with the AppHost's manifest, read from its sources (Azure/azure-dev cli/azd/pkg/apphost/generate.go and
/// pkg/project/service_target_dotnet_containerapp.go): it turns each <c>{resource.property}</c> into the Go-template text
/// of its container-app YAML (<see cref="Evaluate"/>), YAML-marshals each value (<see cref="YamlString"/>), pastes it
/// after its key, and at deploy executes the template (<see cref="Fill"/>) before parsing the YAML.
/// </summary>
public static partial class Azd
{
    /// <summary>The manifest's expression in the text azd writes into a tmpl.yaml (<c>evalBindingRef</c>, yaml emit type).</summary>
    public static string Evaluate(JsonObject resources, string value) => Reference().Replace(value, match =>
    {
        var (name, property) = (match.Groups["resource"].Value, match.Groups["property"].Value);
        var resource = resources[name] ?? throw new InvalidOperationException($"{match.Value}: no resource {name}");
        var type = resource["type"]!.GetValue<string>();
        var snake = name.Replace('-', '_');
        if (property == "connectionString")
        {
            return Evaluate(resources, resource["connectionString"]!.GetValue<string>());
        }
        switch (type)
        {
            case "parameter.v0":
                var input = resource["inputs"]!["value"]!;
                return input["default"]?["value"] is { } defaultValue
                    ? $"{{{{ parameterWithDefault \"{snake}\" \"{defaultValue.GetValue<string>()}\"}}}}"
                    : input["secret"]?.GetValue<bool>() == true ? $"{{{{ securedParameter \"{snake}\" }}}}" : $"{{{{ parameter \"{snake}\" }}}}";
            case "annotated.string": // the uri filter, the only one azd knows
                return Evaluate(resources, resource["value"]!.GetValue<string>()).Replace("{{ ", "{{ uriEncode (").Replace("}}", ")}}");
            case "value.v0":
                return Evaluate(resources, resource["value"]?.GetValue<string>() ?? "");
            case "azure.bicep.v0":
                return $"{{{{ .Env.{snake.ToUpperInvariant()}_{property["outputs.".Length..].ToUpperInvariant()} }}}}";
        }
        var parts = property.Split('.'); // bindings.<name>.<property>
        var binding = resource["bindings"]![parts[1]]!;
        var scheme = binding["scheme"]!.GetValue<string>();
        var http = scheme is "http" or "https";
        var domain = (binding["external"]?.GetValue<bool>() == true ? "" : "internal.") + "{{ .Env.AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN }}";
        var targetPort = binding["targetPort"]?.GetValue<int>().ToString();
        return parts[2] switch
        {
            "url" => http ? $"{scheme}://{name}.{domain}" : $"{scheme}://{name}:{targetPort}",
            "host" => http ? $"{name}.{domain}" : name,
            "port" => http ? "80" : targetPort!,
            "targetPort" => targetPort ?? "{{ targetPortOrDefault 0 }}",
            "scheme" => scheme,
            _ => throw new InvalidOperationException($"{match.Value}: azd does not know {parts[2]}"),
        };
    });

    /// <summary>
    /// <c>asYamlString</c>: yaml.Marshal (github.com/braydonk/yaml, a fork of yaml.v3, libyaml's emitter: indent 4, lines
    /// folded at a space past column 80) without its final newline. yaml.v3 picks the style: literal for text with a
    /// newline, plain when the text reads back as a string, else double-quoted; the emitter may quote a plain one.
    /// </summary>
    public static string YamlString(string value)
    {
        var style = value.Contains('\n') ? ScalarStyle.Literal : ReadsAsString(value) ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted;
        using var writer = new StringWriter();
        var emitter = new Emitter(writer, new EmitterSettings(4, 80, false, 1024));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        emitter.Emit(new Scalar(null, null, value, style, true, false));
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        var text = writer.ToString().Replace("\r\n", "\n");
        text = text.EndsWith("...\n") ? text[..^4] : text; // libyaml's end of an open-ended scalar's document
        return text.TrimEnd('\n');
    }

    /// <summary>
    /// Executes the template as a deploy does, every action (which may span lines) replaced by a sample of what it
    /// stands for. The same action always gives the same sample, so an expected value can be filled the same way.
    /// </summary>
    public static string Fill(string template) => Action().Replace(template, match =>
        "v" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(Whitespace().Replace(match.Groups[1].Value.Trim(), " "))))[..12]);

    /// <summary>The names an action reads: <c>.Env.NAME</c>, <c>securedParameter "name"</c>, <c>parameter "name"</c>, ….</summary>
    public static IEnumerable<(string Kind, string Name)> Actions(string template) =>
        Action().Matches(template).Select(m => Whitespace().Replace(m.Groups[1].Value.Trim(), " ")).Select(action =>
            action.StartsWith(".Env.") ? ("Env", action[5..])
            : ActionCall().Match(action) is { Success: true } call ? (call.Groups[1].Value, call.Groups[2].Value)
            : (action, ""));

    // yaml.v3 resolve(): what a plain scalar would read back as other than a string (null, bool, int, float, timestamp),
    // and its isOldBool / isBase60Float (YAML 1.1 readers).
    private static bool ReadsAsString(string value) => !NotAString().IsMatch(value);

    [GeneratedRegex(@"^(|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?0[xob][0-9a-fA-F_]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?)$")]
    private static partial Regex NotAString();

    [GeneratedRegex(@"\{(?<resource>[A-Za-z0-9-]+)\.(?<property>[^{}]+)\}")]
    private static partial Regex Reference();

    [GeneratedRegex(@"\{\{(.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();

    [GeneratedRegex(@"^(\w+) ""([^""]*)""")]
    private static partial Regex ActionCall();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
