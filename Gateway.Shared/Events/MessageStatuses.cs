namespace Gateway.Shared.Events;

/// <summary>
/// What became of a message sent through the API (docs/api.md#events-on-webhooks): <c>sent</c> → <c>delivered</c> →
/// <c>read</c>, or <c>failed</c>. A message only moves forward: a step may be skipped (a group has no delivery receipts,
/// a bridge without status events never says <c>sent</c>) but never repeated or taken back.
/// </summary>
public static class MessageStatuses
{
    /// <summary>Stored until the bridge says anything: the homeserver has the message, the network may not.</summary>
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Read = "read";
    public const string Failed = "failed";

    /// <summary>Whether a message at <paramref name="current"/> moves on when <paramref name="reported"/> comes.</summary>
    public static bool MovesTo(string current, string reported) => current switch
    {
        Failed or Read => false, // where a message ends
        _ when reported == Failed => current is Pending or Sent, // a message that reached the phone did not fail
        _ => Rank(reported) > Rank(current),
    };

    public static bool IsKnown(string status) => status is Pending or Sent or Delivered or Read or Failed;

    private static int Rank(string status) => status switch
    {
        Pending => 0,
        Sent => 1,
        Delivered => 2,
        Read => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a step of a message's way"),
    };
}
