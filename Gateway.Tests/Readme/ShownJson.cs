using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Readme;

/// <summary>
/// JSON as the README shows an answer: the fields shown must be there with the values shown, and others may follow
/// (the page shows what matters). <c>…</c> stands for what differs from run to run:
/// <list type="bullet">
/// <item>inside a string, any text: <c>"mt_…"</c> is a string that starts with <c>mt_</c>, <c>"…"</c> any string;</item>
/// <item>as the last element of an array, more elements: <c>[{…}, …]</c> is at least those shown, <c>[{…}]</c> exactly;</item>
/// <item>as a member of an object, nothing more than the rule above (<c>{"type":"success",…}</c>).</item>
/// </list>
/// A placeholder is <c>…</c> with the letters, digits and <c>_ @ $</c> right before it (<c>mt_…</c>, <c>lt_…</c>,
/// <c>2@…</c>, <c>$…</c>); matching an answer binds it to what the answer had there, which is what a user would type in
/// its place in the commands that follow. An answer that shows one placeholder twice binds it to the first.
/// </summary>
public static partial class ShownJson
{
    private const string More = "\u0000more";
    private const string EscapedMore = "\\u0000more";

    /// <summary>Where the JSON value that <paramref name="text"/> starts with ends, or null if it goes on.</summary>
    public static int? EndOfValue(string text)
    {
        var depth = 0;
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c is '{' or '[')
            {
                depth++;
            }
            else if (c is '}' or ']' && --depth == 0)
            {
                return i + 1;
            }
        }
        return null;
    }

    /// <summary>The shown form as JSON, each bare <c>…</c> turned into a marker of "more".</summary>
    public static JsonNode Parse(string shown)
    {
        var json = new StringBuilder();
        var open = new Stack<char>();
        var inString = false;
        for (var i = 0; i < shown.Length; i++)
        {
            var c = shown[i];
            if (inString)
            {
                json.Append(c);
                if (c == '\\' && i + 1 < shown.Length)
                {
                    json.Append(shown[++i]);
                }
                else if (c == '"')
                {
                    inString = false;
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[':
                    open.Push(c);
                    break;
                case '}' or ']':
                    open.TryPop(out _);
                    break;
                case '…' when open.TryPeek(out var within):
                    json.Append(within == '{' ? $"\"{EscapedMore}\":null" : $"\"{EscapedMore}\"");
                    continue;
            }
            json.Append(c);
        }
        try
        {
            return JsonNode.Parse(json.ToString())!;
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not JSON as the README shows it: {shown} ({e.Message})", e);
        }
    }

    /// <summary>
    /// Null when <paramref name="actual"/> is what <paramref name="shown"/> shows, with the placeholders it binds added
    /// to <paramref name="bindings"/> (never an earlier one of the same answer replaced); else where and why it differs.
    /// </summary>
    public static string? Mismatch(JsonNode shown, JsonNode? actual, IDictionary<string, string> bindings) =>
        Compare(shown, actual, "$", bindings);

    private static string? Compare(JsonNode? shown, JsonNode? actual, string path, IDictionary<string, string> bindings)
    {
        switch (shown)
        {
            case JsonObject members:
                if (actual is not JsonObject actualMembers)
                {
                    return $"{path}: an object was shown, the answer has {Describe(actual)}";
                }
                foreach (var (name, value) in members.Where(m => m.Key != More))
                {
                    if (!actualMembers.TryGetPropertyValue(name, out var actualMember))
                    {
                        return $"{path}.{name}: shown, but not in the answer";
                    }
                    if (Compare(value, actualMember, $"{path}.{name}", bindings) is { } mismatch)
                    {
                        return mismatch;
                    }
                }
                return null;
            case JsonArray elements:
                if (actual is not JsonArray actualElements)
                {
                    return $"{path}: an array was shown, the answer has {Describe(actual)}";
                }
                var more = elements.Count > 0 && elements[^1] is JsonValue last && last.TryGetValue<string>(out var text) && text == More;
                var count = more ? elements.Count - 1 : elements.Count;
                if (more ? actualElements.Count < count : actualElements.Count != count)
                {
                    return $"{path}: {(more ? "at least " : "")}{count} elements shown, the answer has {actualElements.Count}";
                }
                for (var i = 0; i < count; i++)
                {
                    if (Compare(elements[i], actualElements[i], $"{path}[{i}]", bindings) is { } mismatch)
                    {
                        return mismatch;
                    }
                }
                return null;
            case JsonValue value when value.TryGetValue<string>(out var pattern) && pattern.Contains('…'):
                if (actual is not JsonValue actualValue || !actualValue.TryGetValue<string>(out var actualText))
                {
                    return $"{path}: a string like \"{pattern}\" was shown, the answer has {Describe(actual)}";
                }
                return Bind(pattern, actualText, bindings) ? null : $"{path}: \"{pattern}\" was shown, the answer has \"{actualText}\"";
            default:
                return JsonNode.DeepEquals(shown, actual) ? null : $"{path}: {Describe(shown)} was shown, the answer has {Describe(actual)}";
        }
    }

    private static bool Bind(string pattern, string actual, IDictionary<string, string> bindings)
    {
        var pieces = pattern.Split('…');
        var match = Regex.Match(actual, "^" + string.Join("(.*?)", pieces.Select(Regex.Escape)) + "$", RegexOptions.Singleline);
        if (!match.Success)
        {
            return false;
        }
        for (var i = 0; i < pieces.Length - 1; i++)
        {
            var lead = PlaceholderLead().Match(pieces[i]).Value;
            if (lead.Length > 0)
            {
                bindings.TryAdd(lead + "…", lead + match.Groups[i + 1].Value);
            }
        }
        return true;
    }

    /// <summary>The placeholders (<c>mt_…</c>, <c>2@…</c>, …) that <paramref name="text"/> still has.</summary>
    public static IReadOnlyList<string> PlaceholdersIn(string text) =>
        [.. Placeholder().Matches(text).Select(m => m.Value).Distinct()];

    private static string Describe(JsonNode? node) => node is null ? "null" : node.ToJsonString();

    [GeneratedRegex(@"[A-Za-z0-9_@$]*$")]
    private static partial Regex PlaceholderLead();

    [GeneratedRegex(@"[A-Za-z0-9_@$]*…")]
    private static partial Regex Placeholder();
}
