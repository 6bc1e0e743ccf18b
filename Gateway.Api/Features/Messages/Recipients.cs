namespace Gateway.Api.Features.Messages;

/// <summary>What a send's recipients are: contacts (numbers, or chat ids from webhooks), group invite links or group ids.</summary>
public enum RecipientKind
{
    Contact,
    GroupUrl,
    GroupId,
}

/// <summary>Comma-separated recipients: trimmed, empties dropped, duplicates removed, order kept.</summary>
public static class Recipients
{
    public const int Max = 100;

    public static List<string> Parse(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>A chat id as the bridge names chats (<c>…@lid</c>, <c>…@s.whatsapp.net</c>) rather than a phone number.</summary>
    public static bool IsChatId(string contact) => contact.Contains('@');
}
