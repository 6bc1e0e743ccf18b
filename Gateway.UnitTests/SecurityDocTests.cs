using System.Text.RegularExpressions;

namespace Gateway.UnitTests;

/// <summary>
/// SECURITY.md's table of settings stays true: every setting it names is read by the gateway under that name, and every
/// test it says exercises the setting exists.
/// </summary>
public sealed partial class SecurityDocTests
{
    private static readonly string Root = FindRoot(AppContext.BaseDirectory);

    [Fact]
    public void Every_setting_SECURITY_md_names_is_read_by_the_gateway_and_has_the_tests_it_names()
    {
        var rows = Rows().ToList();
        var product = Sources("Gateway.AppHost", "Gateway.Api", "Gateway.Shared", "Gateway.SyncWorker");
        var tests = Directory.EnumerateFiles(Root, "*Tests.cs", SearchOption.AllDirectories)
            .Where(f => f.Contains($"{Path.DirectorySeparatorChar}Gateway.Tests{Path.DirectorySeparatorChar}") || f.Contains($"{Path.DirectorySeparatorChar}Gateway.UnitTests{Path.DirectorySeparatorChar}"))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(Path.GetFileNameWithoutExtension).ToHashSet();

        Assert.NotEmpty(rows);
        foreach (var (settings, testedBy) in rows)
        {
            Assert.All(settings, setting => Assert.True(IsRead(setting, product), $"SECURITY.md names {setting}, which nothing reads"));
            Assert.NotEmpty(testedBy);
            Assert.All(testedBy, test => Assert.True(tests.Contains(test), $"SECURITY.md says {test} tests {settings[0]}: there is no such test"));
        }
    }

    /// <summary>
    /// Read as named: the whole name appears in the code, or (a section the AppHost hands on) its <c>Gateway:Section</c>
    /// in the AppHost and its last key where the service binds it.
    /// </summary>
    private static bool IsRead(string setting, string product)
    {
        if (product.Contains($"\"{setting}\"") || product.Contains($"\"{setting}\\\"") || product.Contains($"<c>{setting}</c>"))
        {
            return true;
        }
        var parts = setting.Split(':');
        return parts.Length > 2 && product.Contains($"\"{parts[0]}:{parts[1]}\"") && product.Contains($" {parts[^1]} {{");
    }

    /// <summary>The settings table: each row's settings (first column) and its tests (last column).</summary>
    private static IEnumerable<(string[] Settings, string[] TestedBy)> Rows()
    {
        var text = File.ReadAllText(Path.Combine(Root, "SECURITY.md"));
        var table = text[text.IndexOf("| setting |", StringComparison.Ordinal)..];
        foreach (var line in table.Split('\n').Skip(2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries)[1..^1];
            yield return (Code().Matches(cells[0]).Select(m => m.Groups[1].Value).ToArray(), Code().Matches(cells[^1]).Select(m => m.Groups[1].Value).ToArray());
        }
    }

    private static string Sources(params string[] projects) => string.Concat(projects.SelectMany(project =>
        Directory.EnumerateFiles(Path.Combine(Root, project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(File.ReadAllText)));

    private static string FindRoot(string directory) =>
        File.Exists(Path.Combine(directory, "Gateway.sln")) ? directory
            : FindRoot(Path.GetDirectoryName(directory.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new DirectoryNotFoundException("Gateway.sln"));

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();
}
