using Gateway.Sandbox.Matrix;
using Gateway.Sandbox.Platforms;

namespace Gateway.Sandbox.Bridge;

/// <summary>A message the bridge holds for a portal; <c>FromOwnNumber</c>: WhatsApp has it as sent by the linked phone.</summary>
public sealed record BridgedMessage(string EventId, string Sender, DateTimeOffset Timestamp, bool FromOwnNumber);

/// <summary>
/// What bridgev2's database would know of a portal's events, where it looks up what an edit, reaction or deletion
/// points at: messages bridged either way (edits are no messages of their own, and a deleted one is gone) and each
/// sender's one reaction per message. The user's side comes from what the sandbox recorded; the ghosts' messages are
/// read back from the homeserver, so they are known across restarts as the bridge's table keeps them.
/// </summary>
public sealed class BridgedEvents(Platform platform, MatrixClient matrix, SentMessages sent)
{
    public async Task<BridgedMessage?> FindMessageAsync(Portal portal, string eventId)
    {
        var inRoom = sent.InRoom(portal.RoomId);
        if (inRoom.Any(m => m.Type == "m.room.redaction" && m.RelatesTo == eventId))
        {
            return null;
        }
        if (inRoom.FirstOrDefault(m => m.EventId == eventId) is { } mine)
        {
            return IsMessage(mine) ? new BridgedMessage(mine.EventId, mine.Sender, mine.ReceivedAt, FromOwnNumber: true) : null;
        }
        if (await GhostEventAsync(portal, eventId) is not { } e)
        {
            return null;
        }
        return new BridgedMessage(e.EventId, e.Sender, e.SentAt, FromOwnNumber: e.Sender == platform.GhostUserId(portal.DeviceId));
    }

    /// <summary>The reaction <paramref name="sender"/> has on a message now: their newest, unless they took it back.</summary>
    public SentMessage? CurrentReaction(string roomId, string targetEventId, string sender)
    {
        var inRoom = sent.InRoom(roomId);
        var newest = inRoom.LastOrDefault(m => m.Type == "m.reaction" && m.RelatesTo == targetEventId && m.Sender == sender);
        return newest is not null && !inRoom.Any(m => m.Type == "m.room.redaction" && m.RelatesTo == newest.EventId) ? newest : null;
    }

    /// <summary>A reaction the bridge holds by its event: one it replaced since, or ignored as a repeat, it does not.</summary>
    public SentMessage? ReactionByEvent(string roomId, string eventId) =>
        sent.InRoom(roomId).FirstOrDefault(m => m.Type == "m.reaction" && m.EventId == eventId) is { RelatesTo: { } target } reaction
        && CurrentReaction(roomId, target, reaction.Sender)?.EventId == eventId
            ? reaction
            : null;

    private static bool IsMessage(SentMessage m) => m.Type is "m.room.message" or "m.sticker" && m.RelatesTo is null;

    /// <summary>A message a ghost (a contact, or the phone itself) posted, as the bot reads it; not the bot's own notices.</summary>
    private async Task<MatrixEvent?> GhostEventAsync(Portal portal, string eventId)
    {
        MatrixEvent e;
        try
        {
            e = await matrix.GetEventAsync(null, portal.RoomId, eventId, CancellationToken.None);
        }
        catch (MatrixException error) when (error.ErrCode is "M_NOT_FOUND" or "M_FORBIDDEN")
        {
            return null;
        }
        var isMessage = e.Type is "m.room.message" or "m.sticker" && !e.IsEdit && !e.IsRedacted;
        return isMessage && e.Sender != platform.BotUserId && platform.IsBridgeUser(e.Sender) ? e : null;
    }
}
