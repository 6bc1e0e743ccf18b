using Gateway.Shared.Events;
using Gateway.SyncWorker.Delivery;

namespace Gateway.SyncWorker.Bridges;

/// <summary><c>device.status</c>: what became of a device of this identity (docs/api.md#events-on-webhooks).</summary>
public sealed record DeviceStatusPayload(string Event, string Id, string DeviceId, string Platform, string Timestamp, string Status, string? StatusReason)
{
    public const string Connected = "connected", LoggedOut = "logged_out", Moved = "moved", Deleted = "deleted";

    /// <summary>
    /// The event of a bot's report (<paramref name="report"/> its Matrix event): its id names the report and the status,
    /// since one report (a link that moves a phone) tells two identities two things.
    /// </summary>
    public static OutboxEvent Of(BotReport report, string platform, string deviceId, string status, string? reason)
    {
        var id = $"{report.EventId}:{status}";
        var payload = new DeviceStatusPayload(EventKinds.DeviceStatus, id, deviceId, platform, OutboxEvent.Timestamp(report.SentAt), status, reason);
        return new OutboxEvent(EventKinds.DeviceStatus, id, report.RoomId, OutboxEvent.Serialize(payload));
    }
}

/// <summary>A bot's message in a management room that reports on a device: the events it makes keep that room's order.</summary>
public sealed record BotReport(string EventId, string RoomId, DateTime SentAt);
