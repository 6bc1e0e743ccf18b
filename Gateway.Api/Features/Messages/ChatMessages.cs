using Gateway.Api.Bridges;
using Gateway.Shared.Data;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Features.Messages;

/// <summary>
/// A message in one of a device's chats, as far as the gateway saw it: where it is, when it was sent, and whether the
/// caller sent it (through the API): only such a message can be edited or deleted.
/// </summary>
public sealed record ChatMessage(string EventId, string Platform, string DeviceId, string RoomId, bool Own, DateTime SentAt);

/// <summary>
/// Finds the message an action names. A Matrix event id does not say its room, so only what the gateway recorded is
/// found: what this identity sent through the API, and what contacts sent into its device's chats. Another identity's
/// message, or one of a device the identity no longer has (the phone moved, or it was unlinked), is not found.
/// </summary>
public sealed class ChatMessages(GatewayDb db, LinkedDevices devices)
{
    public async Task<ChatMessage?> FindAsync(int identityId, string deviceId, string messageId, CancellationToken cancellationToken)
    {
        var message = await db.SentMessages.AsNoTracking()
                .Where(m => m.IdentityId == identityId && m.DeviceId == deviceId && m.EventId == messageId)
                .Select(m => new ChatMessage(m.EventId, m.Platform, m.DeviceId, m.RoomId, true, m.SentAt))
                .FirstOrDefaultAsync(cancellationToken)
            ?? await db.ReceivedMessages.AsNoTracking()
                .Where(m => m.IdentityId == identityId && m.DeviceId == deviceId && m.EventId == messageId)
                .Select(m => new ChatMessage(m.EventId, m.Platform, m.DeviceId, m.RoomId, false, m.ReceivedAt))
                .FirstOrDefaultAsync(cancellationToken);
        return message is not null && await devices.StatusAsync(identityId, message.Platform, deviceId, cancellationToken) is not null ? message : null;
    }
}
