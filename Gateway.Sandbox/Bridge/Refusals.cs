namespace Gateway.Sandbox.Bridge;

/// <summary>
/// Why the bridge did not bridge an event, as bridgev2's MessageStatus carries it (messagestatus.go): the status and
/// reason code of the <c>com.beeper.message_send_status</c>, its <c>message</c> (null when the error has none to show),
/// its <c>internal_error</c> (the whole error text), whether the notice says "was not" or "may not have been" bridged,
/// and whether there is a notice at all.
/// </summary>
public sealed record Refusal(string Status, string Reason, string? Message, string InternalError, bool Certain, bool SendNotice);

/// <summary>
/// bridgev2's errors (errors.go) and mautrix-whatsapp's, word for word. None sets a status, so sendErrorStatus makes
/// them all <c>FAIL_RETRIABLE</c>; those without a reason code get <c>m.event_not_handled</c>. A wrapped error keeps
/// the wrapped one's flags and shows the whole text (WrapErrorInStatus with ErrorAsMessage).
/// </summary>
public static class Refusals
{
    public const string Unsupported = "com.beeper.unsupported_event";
    public const string NotHandled = "m.event_not_handled";

    /// <summary>ErrTargetMessageNotFound behind "edit", "reaction" or "redaction": certain, but no notice.</summary>
    public static Refusal TargetNotFound(string eventKind) => Shown($"{eventKind} target message not found", NotHandled, notice: false);

    public static readonly Refusal EditTargetTooOld = Shown("the message is too old to be edited", Unsupported, notice: false);

    public static readonly Refusal IgnoringNotice = Shown("ignoring m.notice message", NotHandled, notice: false);

    /// <summary>bridgev2's capability check, before the connector: <c>unsupported media type (image/bmp in m.image)</c>.</summary>
    public static Refusal UnsupportedMediaType(string mimeType, string capabilityType) =>
        Shown($"unsupported media type ({mimeType} in {capabilityType})", Unsupported, notice: true);

    public static Refusal MediaTooLarge(string sizeMiB, string maxMiB) =>
        Shown($"media too large: {sizeMiB} MiB is larger than the maximum of {maxMiB} MiB", Unsupported, notice: true);

    /// <summary>mautrix-whatsapp's own media check, wrapped by HandleMatrixMessage: <c>failed to convert message: …</c>.</summary>
    public static Refusal ConnectorUnsupportedMediaType(string mimeType, string kind) =>
        Shown($"failed to convert message: unsupported media type {mimeType} in {kind} message", Unsupported, notice: true);

    public static Refusal UnsupportedMessageType(string msgtype) =>
        Shown($"failed to convert message: unsupported message type {msgtype}", Unsupported, notice: true);

    /// <summary>
    /// A plain Go error (a geo URI that does not parse): no MessageStatus inside, so nothing to show the user, not
    /// certain, no notice; only <c>internal_error</c> says what went wrong.
    /// </summary>
    public static Refusal ConversionError(string error) =>
        new(MessageStatuses.Retriable, NotHandled, null, $"failed to convert message: {error}", Certain: false, SendNotice: false);

    private static Refusal Shown(string error, string reason, bool notice) =>
        new(MessageStatuses.Retriable, reason, error, error, Certain: true, SendNotice: notice);
}
