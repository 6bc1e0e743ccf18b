using System.Text.Json.Nodes;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// One event for the webhooks, read from a portal's Matrix events by an <see cref="IIncomingReader"/>: its kind, its
/// payload's id and the room whose order it keeps.
/// </summary>
/// <param name="Payload">The payload record as webhooks get it (snake_case JSON of its fields in order).</param>
/// <param name="File">For a message with a file: the event content to download it from when the message is stored.</param>
/// <param name="Step">For a status: the step it records, taken only if the message has not gone that far yet.</param>
/// <param name="Received">For a contact's message: the device's chat that holds it, recorded for the actions taken on it.</param>
public sealed record IncomingEvent(string Kind, string Id, string RoomId, object Payload, JsonNode? File = null, StatusStep? Step = null,
    ReceivedIn? Received = null);

/// <summary>The device (on its platform) whose chat a contact's message arrived in, and when the network saw it.</summary>
public sealed record ReceivedIn(string Platform, string DeviceId, DateTime At);

/// <summary>
/// A message sent through the API moves to <paramref name="Status"/>. Only a message is told of: the bridge reports on the
/// caller's reactions, edits and deletions too, and those are no messages (the Api records what it sent, and
/// <see cref="StatusReader"/> what it sees the identity send, before any status of it can come).
/// </summary>
public sealed record StatusStep(string MessageId, string Status, string? Error);

/// <summary>
/// Turns the Matrix events of one kind in a portal into events for the webhooks. Readers are asked in turn for each
/// event of a batch, in the room's order; the first that knows the event answers, so a new kind is one new reader.
/// </summary>
public interface IIncomingReader
{
    /// <summary>The events this Matrix event makes (none when it is of this kind but not worth telling); null when it is not of this kind.</summary>
    Task<IReadOnlyList<IncomingEvent>?> ReadAsync(PortalChat portal, JsonNode matrixEvent, CancellationToken cancellationToken);
}

/// <summary>A chat as every payload but <c>device.status</c> names it: what the send endpoint takes back, and its name.</summary>
/// <param name="Type"><c>contact</c> or <c>group</c>.</param>
/// <param name="Id">The bridge's id of the chat: sent back as <c>contact</c> or <c>group_id</c>.</param>
public sealed record WebhookChat(string Type, string Id, string Name);
