using System.Text.Json.Nodes;
using Gateway.Sandbox.Matrix;
using Gateway.Sandbox.Platforms;

namespace Gateway.Sandbox.Bridge;

/// <summary>The user's event a status is about: enough to point at it, word the notice and mention its sender.</summary>
public sealed record StatusTarget(string RoomId, string EventId, string Type, string Sender, string? Msgtype)
{
    public static StatusTarget Of(MatrixEvent e) => new(e.RoomId, e.EventId, e.Type, e.Sender, e.MsgType);

    public static StatusTarget Of(SentMessage m) => new(m.RoomId, m.EventId, m.Type, m.Sender, m.Msgtype);
}

/// <summary>
/// What the bot tells a portal about a user's event, as bridgev2 does (messagestatus.go ToMSSEvent/ToNoticeEvent,
/// matrix/connector.go internalSendMessageStatus): a <c>com.beeper.message_send_status</c> when status events are on,
/// and after a failure a notice in reply to the event when error notices are on.
/// </summary>
public sealed class MessageStatuses(Platform platform, MatrixClient matrix, FailureSwitches switches)
{
    public const string EventType = "com.beeper.message_send_status";

    // mautrix/go event.MessageStatus and event.MessageStatusReason, spelled as on the wire.
    public const string Success = "SUCCESS";
    public const string Fail = "FAIL_PERMANENT";
    public const string Retriable = "FAIL_RETRIABLE";
    public const string NetworkError = "m.foreign_network_error";
    public const string NoPermission = "m.no_permission";

    private bool StatusEventsOn => switches.MessageStatusEvents ?? platform.Options.MessageStatusEvents;

    /// <summary>The event went out to the remote chat.</summary>
    public Task SuccessAsync(StatusTarget target) => SendStatusAsync(target.RoomId, Status(target.EventId, Success));

    /// <summary>A delivery receipt from the contact's phone: another SUCCESS for the same event, naming who has it.</summary>
    public Task DeliveredAsync(StatusTarget target, string contactGhost)
    {
        var content = Status(target.EventId, Success);
        content["delivered_to_users"] = new JsonArray(contactGhost);
        return SendStatusAsync(target.RoomId, content);
    }

    /// <summary>
    /// The event did not reach the remote chat, for certain (the notice says "was not bridged"). A user's notice gets
    /// no notice back, so two bots can never answer each other forever.
    /// </summary>
    public async Task FailedAsync(StatusTarget target, string status, string reason, string message)
    {
        var content = Status(target.EventId, status);
        content["reason"] = reason;
        content["error"] = message; // deprecated name, still read by older clients
        content["internal_error"] = message;
        content["message"] = message;
        await SendStatusAsync(target.RoomId, content);
        if (platform.Options.MessageErrorNotices && target.Msgtype != "m.notice")
        {
            await matrix.SendAsync(null, target.RoomId, "m.room.message",
                MessageContent.NotBridged(BotTexts.NotBridged(message, target.Type), target.EventId, target.Sender), CancellationToken.None);
        }
    }

    /// <summary>
    /// The bridge itself refused the event (bridgev2's ToMSSEvent and ToNoticeEvent): the fields its error has, and a
    /// notice only for the errors that ask for one.
    /// </summary>
    public async Task RefusedAsync(StatusTarget target, Refusal refusal)
    {
        var content = Status(target.EventId, refusal.Status);
        content["reason"] = refusal.Reason;
        content["internal_error"] = refusal.InternalError;
        if (refusal.Message is { } message)
        {
            content["message"] = message;
        }
        await SendStatusAsync(target.RoomId, content);
        if (refusal.SendNotice && platform.Options.MessageErrorNotices && target.Msgtype != "m.notice")
        {
            var text = BotTexts.NotBridged(refusal.Message ?? refusal.InternalError, target.Type, refusal.Certain);
            await matrix.SendAsync(null, target.RoomId, "m.room.message", MessageContent.NotBridged(text, target.EventId, target.Sender),
                CancellationToken.None);
        }
    }

    private async Task SendStatusAsync(string roomId, JsonObject content)
    {
        if (StatusEventsOn)
        {
            await matrix.SendAsync(null, roomId, EventType, content, CancellationToken.None);
        }
    }

    private JsonObject Status(string eventId, string status) => new()
    {
        ["network"] = platform.Options.ProtocolId,
        ["m.relates_to"] = new JsonObject { ["rel_type"] = "m.reference", ["event_id"] = eventId },
        ["status"] = status,
    };
}
