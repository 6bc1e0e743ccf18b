using Gateway.Sandbox.Matrix;

namespace Gateway.Sandbox.Bridge;

/// <summary>A contact's (or group member's) ghost in one portal: who acts, and where.</summary>
public sealed record ContactInChat(PlatformBridge Bridge, Portal Portal, string Ghost, string Digits);

/// <summary>
/// What a contact does after messages exist, played as the bridge plays the remote side (bridgev2 portal.go
/// handleRemoteReadReceipt, handleRemoteReaction, handleRemoteEdit, handleRemoteMessageRemove): every event comes
/// from the contact's ghost through the appservice's <c>?user_id=</c>.
/// </summary>
public static class ContactActions
{
    /// <summary>The contact read the chat: its ghost's <c>m.read</c> on the newest message the user sent there, or null if none.</summary>
    public static async Task<string?> ReadAsync(ContactInChat chat, CancellationToken cancellationToken)
    {
        if (chat.Bridge.Sent.NewestIn(chat.Portal.RoomId) is not { } newest)
        {
            return null;
        }
        await chat.Bridge.Matrix.SendReadReceiptAsync(chat.Ghost, chat.Portal.RoomId, newest.EventId, cancellationToken);
        return newest.EventId;
    }

    /// <summary>
    /// The ghost reacts with <paramref name="key"/>, or takes its reaction back when the key is empty (null: it had none).
    /// WhatsApp keeps one reaction per sender and message, so another emoji first redacts the old reaction event, and
    /// the same emoji again changes nothing.
    /// </summary>
    public static async Task<string?> ReactAsync(ContactInChat chat, string targetEventId, string key, CancellationToken cancellationToken)
    {
        var (bridge, roomId) = (chat.Bridge, chat.Portal.RoomId);
        var previous = bridge.Reactions.Find(roomId, targetEventId, chat.Ghost);
        if (previous is not null && previous.Key == key)
        {
            return previous.EventId;
        }
        string? redaction = null;
        if (previous is not null)
        {
            redaction = await bridge.Matrix.RedactAsync(chat.Ghost, roomId, previous.EventId, cancellationToken);
            bridge.Reactions.Remove(roomId, targetEventId, chat.Ghost);
        }
        if (key.Length == 0)
        {
            return redaction;
        }
        var reaction = await bridge.Matrix.SendAsync(chat.Ghost, roomId, "m.reaction", MessageContent.Reaction(targetEventId, key), cancellationToken);
        bridge.Reactions.Set(roomId, targetEventId, chat.Ghost, new GhostReaction(reaction, key));
        return reaction;
    }

    public static Task<string> EditAsync(ContactInChat chat, string targetEventId, string text, CancellationToken cancellationToken) =>
        chat.Bridge.Matrix.SendAsync(chat.Ghost, chat.Portal.RoomId, "m.room.message", MessageContent.Edit(text, targetEventId), cancellationToken);

    /// <summary>Deleted for everyone: the ghost redacts its own message.</summary>
    public static Task<string> DeleteAsync(ContactInChat chat, string targetEventId, CancellationToken cancellationToken) =>
        chat.Bridge.Matrix.RedactAsync(chat.Ghost, chat.Portal.RoomId, targetEventId, cancellationToken);

    /// <summary>Who sent an event of the portal, or null when the room has no such event.</summary>
    public static async Task<string?> SenderOfAsync(ContactInChat chat, string eventId, CancellationToken cancellationToken)
    {
        try
        {
            return (await chat.Bridge.Matrix.GetEventAsync(chat.Ghost, chat.Portal.RoomId, eventId, cancellationToken)).Sender;
        }
        catch (MatrixException e) when (e.ErrCode == "M_NOT_FOUND")
        {
            return null;
        }
    }
}
