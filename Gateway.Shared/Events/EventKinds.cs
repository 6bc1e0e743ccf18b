namespace Gateway.Shared.Events;

/// <summary>
/// The kinds of event a webhook can ask for (docs/api.md#events-on-webhooks). A webhook made without <c>events</c>
/// gets <see cref="Message"/> only, which is what webhooks received before there were kinds.
/// </summary>
public static class EventKinds
{
    public const string Message = "message";
    public const string MessageStatus = "message.status";
    public const string MessageReaction = "message.reaction";
    public const string MessageEdited = "message.edited";
    public const string MessageDeleted = "message.deleted";
    public const string DeviceStatus = "device.status";
    /// <summary>Every kind, those added later included.</summary>
    public const string All = "*";

    public static readonly IReadOnlyList<string> Known = [Message, MessageStatus, MessageReaction, MessageEdited, MessageDeleted, DeviceStatus];
    public static readonly IReadOnlyList<string> Default = [Message];

    public const string NotAList = "events must be a non-empty list of event kinds";

    /// <summary>
    /// A webhook's <c>events</c> as the caller wrote them, trimmed and de-duplicated in order; <c>*</c> stands alone.
    /// Null with the error to answer when the list is empty or names a kind that does not exist.
    /// </summary>
    public static (List<string>? Kinds, string? Error) Parse(IReadOnlyList<string?>? events)
    {
        if (events is null || events.Count == 0)
        {
            return (null, NotAList);
        }
        var kinds = new List<string>();
        foreach (var written in events)
        {
            var kind = written?.Trim() ?? "";
            if (kind.Length == 0)
            {
                return (null, NotAList);
            }
            if (kind != All && !Known.Contains(kind))
            {
                return (null, $"Unknown event: {kind}");
            }
            if (!kinds.Contains(kind))
            {
                kinds.Add(kind);
            }
        }
        return (kinds.Contains(All) ? [All] : kinds, null);
    }
}
