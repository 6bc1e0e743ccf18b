using System.Collections.Concurrent;
using Gateway.Sandbox.Matrix;
using Gateway.Sandbox.Platforms;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// The Matrix users that stand for remote contacts. Like a mautrix bridge, ghosts are registered on first use
/// in the service's exclusive namespace (no passwords), then act through the as_token with <c>?user_id=</c>.
/// </summary>
public sealed class Ghosts(Platform platform, MatrixClient matrix)
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> ready = new();
    private readonly ConcurrentDictionary<string, string> names = new();

    /// <summary>
    /// The name the bridge knows a ghost by, or null for one it never set up (bridgev2 makes a nameless ghost row on
    /// first lookup, and <c>resolve-identifier</c> shows that empty name).
    /// </summary>
    public string? NameOf(string remoteId) => names.GetValueOrDefault(platform.GhostUserId(remoteId));

    /// <summary>Registers the ghost of <paramref name="remoteId"/> once, with a display name, and returns its user id.</summary>
    public async Task<string> EnsureAsync(string remoteId, string displayName, CancellationToken cancellationToken)
    {
        var userId = platform.GhostUserId(remoteId);
        var setup = ready.GetOrAdd(userId, _ => new Lazy<Task>(() => RegisterAsync(remoteId, userId, displayName)));
        try
        {
            await setup.Value.WaitAsync(cancellationToken);
        }
        catch when (!cancellationToken.IsCancellationRequested)
        {
            ready.TryRemove(userId, out _); // let the next caller try again
            throw;
        }
        return userId;
    }

    private async Task RegisterAsync(string remoteId, string userId, string displayName)
    {
        await matrix.EnsureRegisteredAsync(platform.GhostLocalpart(remoteId), CancellationToken.None);
        await matrix.SetDisplayNameAsync(userId, displayName, CancellationToken.None);
        names[userId] = displayName;
    }
}
