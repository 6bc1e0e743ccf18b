namespace Gateway.Api.Features.Messages;

/// <summary>Comma-separated recipients: trimmed, empties dropped, duplicates removed, order kept.</summary>
public static class Recipients
{
    public const int Max = 100;

    public static List<string> Parse(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Distinct(StringComparer.Ordinal)
            .ToList();
}
