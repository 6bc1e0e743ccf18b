using System.Text.Json.Nodes;
using Gateway.Shared.Events;
using Gateway.Shared.Matrix;

namespace Gateway.SyncWorker.Incoming;

/// <summary><c>message.edited</c>: a contact's <c>m.replace</c> of its message, with the new text from <c>m.new_content</c>.</summary>
public sealed class EditReader : IIncomingReader
{
    public Task<IReadOnlyList<IncomingEvent>?> ReadAsync(PortalChat portal, JsonNode matrixEvent, CancellationToken cancellationToken)
    {
        var sender = EventJson.String(matrixEvent["sender"]);
        if (EventJson.String(matrixEvent["type"]) != "m.room.message" || !portal.IsContact(sender) || !MessageReader.IsEdit(matrixEvent))
        {
            return Task.FromResult<IReadOnlyList<IncomingEvent>?>(null);
        }
        var content = matrixEvent["content"];
        if (EventJson.String(matrixEvent["event_id"]) is not { } eventId
            || EventJson.String(EventJson.At(content, "m.relates_to", "event_id")) is not { } messageId
            || EventJson.String(EventJson.At(content, "m.new_content", "body")) is not { } text)
        {
            return Task.FromResult<IReadOnlyList<IncomingEvent>?>([]);
        }
        var payload = new EditPayload(EventKinds.MessageEdited, eventId, portal.DeviceId, portal.Chat, PortalChat.TimestampOf(matrixEvent), messageId, text,
            portal.From(sender!));
        return Task.FromResult<IReadOnlyList<IncomingEvent>?>([new IncomingEvent(EventKinds.MessageEdited, eventId, portal.RoomId, payload)]);
    }
}
