namespace Gateway.SyncWorker.Incoming;

/// <summary><c>message.reaction</c>: a contact reacted to a message (<c>reaction</c> "" when taken back).</summary>
public sealed record ReactionPayload(string Event, string Id, string DeviceId, WebhookChat Chat, string Timestamp, string MessageId, string Reaction, string From);

/// <summary><c>message.edited</c>: a contact changed the text of its message.</summary>
public sealed record EditPayload(string Event, string Id, string DeviceId, WebhookChat Chat, string Timestamp, string MessageId, string Message, string From);

/// <summary><c>message.deleted</c>: a contact deleted its message for everyone.</summary>
public sealed record DeletionPayload(string Event, string Id, string DeviceId, WebhookChat Chat, string Timestamp, string MessageId, string From);

/// <summary><c>message.status</c>: what became of a message sent through the API.</summary>
public sealed record StatusPayload(string Event, string Id, string DeviceId, WebhookChat Chat, string Timestamp, string MessageId, string Recipient,
    string Status, string? Error);
