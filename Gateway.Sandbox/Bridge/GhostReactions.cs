using System.Collections.Concurrent;

namespace Gateway.Sandbox.Bridge;

public sealed record GhostReaction(string EventId, string Key);

/// <summary>
/// The reaction event each ghost has on each message. WhatsApp keeps one reaction per sender per message, so a new
/// emoji replaces the old one and an empty one takes it back: both redact the event kept here (bridgev2's
/// handleRemoteReaction and handleRemoteReactionRemove find it in their reaction table the same way).
/// </summary>
public sealed class GhostReactions
{
    private readonly ConcurrentDictionary<(string RoomId, string TargetEventId, string Ghost), GhostReaction> reactions = new();

    public GhostReaction? Find(string roomId, string targetEventId, string ghost) =>
        reactions.GetValueOrDefault((roomId, targetEventId, ghost));

    public void Set(string roomId, string targetEventId, string ghost, GhostReaction reaction) =>
        reactions[(roomId, targetEventId, ghost)] = reaction;

    public void Remove(string roomId, string targetEventId, string ghost) =>
        reactions.TryRemove((roomId, targetEventId, ghost), out _);
}
