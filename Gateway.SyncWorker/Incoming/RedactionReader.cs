using System.Text.Json.Nodes;
using Gateway.Shared.Data;
using Gateway.Shared.Events;
using Gateway.Shared.Matrix;
using Microsoft.EntityFrameworkCore;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// A contact's <c>m.room.redaction</c>: of one of its reactions, the reaction taken back (<c>message.reaction</c> with
/// <c>""</c>); of anything else, its message deleted for everyone (<c>message.deleted</c>).
/// </summary>
public sealed class RedactionReader(GatewayDb db) : IIncomingReader
{
    public async Task<IReadOnlyList<IncomingEvent>?> ReadAsync(PortalChat portal, JsonNode matrixEvent, CancellationToken cancellationToken)
    {
        var sender = EventJson.String(matrixEvent["sender"]);
        if (EventJson.String(matrixEvent["type"]) != "m.room.redaction" || !portal.IsContact(sender))
        {
            return null;
        }
        // Room versions up to 10 carry the redacted event at the top; from 11 in the content.
        if (EventJson.String(matrixEvent["event_id"]) is not { } eventId
            || (EventJson.String(matrixEvent["redacts"]) ?? EventJson.String(EventJson.At(matrixEvent, "content", "redacts"))) is not { } redacted)
        {
            return [];
        }
        var identityId = portal.Identity.IdentityId;
        var reactedTo = await db.ReceivedReactions.AsNoTracking()
            .Where(r => r.IdentityId == identityId && r.EventId == redacted).Select(r => r.MessageId).FirstOrDefaultAsync(cancellationToken);
        if (reactedTo is not null)
        {
            return [ReactionReader.Reaction(portal, matrixEvent, eventId, reactedTo, "", sender!)];
        }
        var payload = new DeletionPayload(EventKinds.MessageDeleted, eventId, portal.DeviceId, portal.Chat, PortalChat.TimestampOf(matrixEvent), redacted,
            portal.From(sender!));
        return [new IncomingEvent(EventKinds.MessageDeleted, eventId, portal.RoomId, payload)];
    }
}
