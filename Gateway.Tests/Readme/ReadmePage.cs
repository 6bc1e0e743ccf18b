using System.Text;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Readme;

/// <summary>
/// The parts of README.md that tests run or read. A fenced block belongs to <c>NAME</c> when the line right above its
/// opening fence is <c>&lt;!-- readme-test: NAME --&gt;</c> (invisible on the page); a name's blocks are taken in page
/// order, so marking one more block with a name adds it to that name's script.
/// </summary>
/// <remarks>
/// A shell block is read as commands: a line and the lines its trailing <c>\</c> continues onto, kept as written. The
/// comment lines right under a command, up to a blank line or the next command, may show what it prints: a comment
/// that starts with <c>{</c> or <c>[</c> is one JSON value (continued on the next comment lines until it closes; prose
/// after it is ignored), in <see cref="ShownJson"/>'s form. Any other comment is for the reader.
/// </remarks>
public static partial class ReadmePage
{
    public static string File { get; } = Path.Combine(CommandLine.RepositoryRoot, "README.md");

    /// <summary>The commands of every shell block marked <paramref name="name"/>, in page order.</summary>
    public static IReadOnlyList<ReadmeCommand> Script(string name, string? markdown = null) =>
        [.. Blocks(name, markdown).Where(b => b.Language is "sh" or "bash" or "shell").SelectMany(b => CommandsOf(b))];

    /// <summary>The text of the one block marked <paramref name="name"/> (an example payload, say).</summary>
    public static string Example(string name, string? markdown = null)
    {
        var blocks = Blocks(name, markdown);
        return blocks.Count == 1 ? blocks[0].Text
            : throw new InvalidOperationException($"README.md has {blocks.Count} blocks marked readme-test: {name}, not one");
    }

    public sealed record Block(string Language, string Text, int FirstLine);

    public static IReadOnlyList<Block> Blocks(string name, string? markdown = null)
    {
        var lines = (markdown ?? System.IO.File.ReadAllText(File)).ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<Block>();
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = Marker().Match(lines[i]);
            if (!marker.Success)
            {
                continue;
            }
            // A marker that marks nothing would quietly take its block out of the test: it is an error instead.
            var fence = i + 1 < lines.Length ? Fence().Match(lines[i + 1]) : Match.Empty;
            if (!fence.Success)
            {
                throw new FormatException($"README.md line {i + 1}: {lines[i].Trim()} is not right above a ``` fence");
            }
            var end = Array.FindIndex(lines, i + 2, l => l.TrimEnd() == "```");
            if (end < 0)
            {
                throw new FormatException($"README.md line {i + 2}: the block marked {marker.Groups["name"].Value} never closes");
            }
            if (marker.Groups["name"].Value == name)
            {
                blocks.Add(new Block(fence.Groups["language"].Value, string.Join('\n', lines[(i + 2)..end]), i + 3));
            }
            i = end;
        }
        return blocks;
    }

    private static IEnumerable<ReadmeCommand> CommandsOf(Block block)
    {
        var lines = block.Text.Split('\n');
        ReadmeCommand? command = null;
        var shown = new List<string>();
        StringBuilder? open = null; // a shown value that goes on over the next comment lines
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || !line.StartsWith('#'))
            {
                if (command is not null)
                {
                    yield return command with { Shown = [.. shown] };
                }
                command = null;
                shown.Clear();
                open = null;
                if (line.Length == 0)
                {
                    continue;
                }
                var first = i;
                while (lines[i].TrimEnd().EndsWith('\\') && i + 1 < lines.Length)
                {
                    i++;
                }
                command = new ReadmeCommand(string.Join('\n', lines[first..(i + 1)]), [], block.FirstLine + first);
                continue;
            }
            var comment = line.TrimStart('#').Trim();
            if (command is null)
            {
                continue; // a comment that introduces the next command
            }
            if (open is null && !(comment.StartsWith('{') || comment.StartsWith('[')))
            {
                continue; // prose
            }
            open = open is null ? new StringBuilder(comment) : open.Append(' ').Append(comment);
            if (ShownJson.EndOfValue(open.ToString()) is { } end)
            {
                shown.Add(open.ToString()[..end]);
                open = null;
            }
        }
        if (command is not null)
        {
            yield return command with { Shown = [.. shown] };
        }
    }

    [GeneratedRegex(@"^\s*<!--\s*readme-test:\s*(?<name>[\w-]+)\s*-->\s*$")]
    private static partial Regex Marker();

    [GeneratedRegex(@"^```(?<language>[\w-]*)\s*$")]
    private static partial Regex Fence();
}

/// <summary>A command of the README as written, what its comments show it prints, and where it is on the page.</summary>
public sealed record ReadmeCommand(string Text, IReadOnlyList<string> Shown, int Line)
{
    public override string ToString() => $"README.md line {Line}: {Text}";
}
