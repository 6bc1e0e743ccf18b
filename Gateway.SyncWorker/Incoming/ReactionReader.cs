using System.Text.Json.Nodes;
using Gateway.Shared.Data;
using Gateway.Shared.Events;
using Gateway.Shared.Matrix;
using Microsoft.EntityFrameworkCore;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// <c>message.reaction</c>: a contact's <c>m.reaction</c> (an annotation of a message with an emoji). The reaction is
/// remembered, since taking it back is a redaction of the reaction event that no longer says what it reacted to
/// (<see cref="RedactionReader"/>).
/// </summary>
public sealed class ReactionReader(GatewayDb db, TimeProvider clock) : IIncomingReader
{
    public async Task<IReadOnlyList<IncomingEvent>?> ReadAsync(PortalChat portal, JsonNode matrixEvent, CancellationToken cancellationToken)
    {
        var sender = EventJson.String(matrixEvent["sender"]);
        if (EventJson.String(matrixEvent["type"]) != "m.reaction" || !portal.IsContact(sender))
        {
            return null;
        }
        var relation = EventJson.At(matrixEvent, "content", "m.relates_to");
        if (EventJson.String(matrixEvent["event_id"]) is not { } eventId || EventJson.String(relation?["rel_type"]) != "m.annotation"
            || EventJson.String(relation?["event_id"]) is not { } messageId || EventJson.String(relation?["key"]) is not { } emoji)
        {
            return [];
        }
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO received_reactions (identity_id, event_id, message_id, created_at)
            VALUES ({portal.Identity.IdentityId}, {eventId}, {messageId}, {clock.GetUtcNow().UtcDateTime})
            ON CONFLICT (identity_id, event_id) DO NOTHING
            """, cancellationToken);
        return [Reaction(portal, matrixEvent, eventId, messageId, emoji, sender!)];
    }

    public static IncomingEvent Reaction(PortalChat portal, JsonNode matrixEvent, string eventId, string messageId, string emoji, string sender) =>
        new(EventKinds.MessageReaction, eventId, portal.RoomId,
            new ReactionPayload(EventKinds.MessageReaction, eventId, portal.DeviceId, portal.Chat, PortalChat.TimestampOf(matrixEvent), messageId, emoji,
                portal.From(sender)));
}
