using System.Text;
using Aspire.Hosting.ApplicationModel;

namespace Gateway.AppHost;

/// <summary>
/// Writes a container's configuration files before its image's own launcher starts, from settings that azd can carry.
/// azd pastes each environment value and argument into its container-app YAML after YAML-marshalling it
/// (<c>asYamlString</c>, cli/azd/pkg/apphost/generate.go): a value with a newline becomes a literal block, and one with a
/// space past column 80 is folded, both indented less than their key, and the YAML no longer parses. So every file goes
/// as base64 of a template (one word, nothing to fold), the values only the deployment knows (secrets, addresses) go
/// each in a short variable of its own, and a script, itself base64, puts them in place of their <c>${NAME}</c> markers.
/// </summary>
public static class ContainerStartup
{
    public const string ScriptVariable = "START_SCRIPT";

    /// <summary>What runs the script: one short argument, so the shell that runs it is replaced by the launcher (PID 1).</summary>
    public const string RunScript = $"eval \"$(printf %s \"${ScriptVariable}\" | base64 -d)\"";

    /// <param name="files">Each file's path in the container, the variable that carries it, and its template.</param>
    /// <param name="values">Each marker's variable and its value; values are single words without <c>|</c>, <c>&amp;</c> or <c>\</c>.</param>
    /// <param name="launcher">The shell commands that start the program once the files are written.</param>
    public static IResourceBuilder<ContainerResource> WithStartupFiles(this IResourceBuilder<ContainerResource> container,
        IReadOnlyList<StartupFile> files, IReadOnlyDictionary<string, ReferenceExpression> values, string launcher)
    {
        var substitutions = string.Concat(values.Keys.Select(name => $" -e \"s|\\${{{name}}}|${name}|g\""));
        var script = new StringBuilder("set -e\n");
        foreach (var file in files)
        {
            script.Append($"mkdir -p \"$(dirname {file.Path})\"\n");
            script.Append($"printf %s \"${file.Variable}\" | base64 -d | sed{substitutions} > {file.Path}\n");
            container.WithEnvironment(file.Variable, Base64(Text(file.Template)));
        }
        script.Append(launcher).Append('\n');
        foreach (var (name, value) in values)
        {
            container.WithEnvironment(name, value);
        }
        return container.WithEntrypoint("/bin/sh")
            .WithArgs("-c", RunScript)
            .WithEnvironment(ScriptVariable, Base64(script.ToString()));
    }

    /// <summary>The marker the script replaces with the value of <paramref name="variable"/>.</summary>
    public static ReferenceExpression Marker(string variable) => InfrastructureExtensions.Literal("${" + variable + "}");

    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>A template holds markers, never references: it is known in full when the AppHost builds its model.</summary>
    private static string Text(ReferenceExpression template) => LiteralsOnly(template)
        ? template.GetValueAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() ?? ""
        : throw new InvalidOperationException("A startup file's template must hold only markers, not references: " + template.ValueExpression);

    private static bool LiteralsOnly(ReferenceExpression expression) =>
        expression.ValueProviders.All(provider => provider is ReferenceExpression nested && LiteralsOnly(nested));
}

/// <summary>A file a container writes at start: where, the variable that carries it, and its template with <c>${NAME}</c> markers.</summary>
public sealed record StartupFile(string Path, string Variable, ReferenceExpression Template);
