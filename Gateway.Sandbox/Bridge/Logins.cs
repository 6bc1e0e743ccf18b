using System.Collections.Concurrent;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// A linked phone: the device id is the phone's digits, owned by the Matrix user who linked it. <c>State</c> is the
/// bridge state mautrix reports (<c>CONNECTED</c>, or <c>BAD_CREDENTIALS</c> once the phone unlinked the device, with
/// the error code in <c>StateError</c>). State files written before states existed load as connected.
/// </summary>
public sealed record Login(string DeviceId, string UserId, string ManagementRoomId, DateTimeOffset LinkedAt,
    string State = LoginStates.Connected, string? StateError = null)
{
    public bool IsConnected => State == LoginStates.Connected;
}

public static class LoginStates
{
    public const string Connected = "CONNECTED";
    public const string BadCredentials = "BAD_CREDENTIALS";
}

/// <summary>
/// The logins of one platform. A number is one account, so linking it again (by anyone) replaces the earlier login,
/// as bridgev2 does (<c>DeleteOnConflict</c>): silently when another user had it.
/// </summary>
public sealed class Logins
{
    private readonly ConcurrentDictionary<string, Login> byDevice = new();

    public event Action? Changed;

    public IReadOnlyList<Login> All => [.. byDevice.Values.OrderBy(l => l.LinkedAt)];

    public Login? Find(string deviceId) => byDevice.GetValueOrDefault(deviceId);

    /// <summary>A login the user may use: theirs, and still linked.</summary>
    public Login? FindOwned(string deviceId, string userId) => Find(deviceId) is { } login && login.UserId == userId ? login : null;

    /// <summary>What bridgev2 calls the user's default login: the first one they linked.</summary>
    public Login? DefaultOf(string userId) => All.FirstOrDefault(l => l.UserId == userId);

    /// <summary>
    /// bridgev2's rule for <c>[login ID] &lt;…&gt;</c> commands: the first argument is a login id if it names one of the
    /// user's logins (and something follows it), else the user's default login takes all the arguments.
    /// </summary>
    public (Login? Login, string[] Remaining) ChooseFor(string userId, string[] args) =>
        args.Length > 1 && FindOwned(args[0], userId) is { } named ? (named, args[1..]) : (DefaultOf(userId), args);

    /// <summary>
    /// Links <paramref name="phone"/> to <paramref name="userId"/>, connected; returns the login it replaced, if any.
    /// The same user logging in again keeps their login (and its place as default), as bridgev2 reuses it.
    /// </summary>
    public (Login Login, Login? Replaced) Link(string phone, string userId, string managementRoomId, DateTimeOffset now)
    {
        Login? replaced = null;
        var login = byDevice.AddOrUpdate(phone,
            _ => new Login(phone, userId, managementRoomId, now),
            (_, previous) =>
            {
                replaced = previous;
                return previous.UserId == userId
                    ? previous with { ManagementRoomId = managementRoomId, State = LoginStates.Connected, StateError = null }
                    : new Login(phone, userId, managementRoomId, now);
            });
        Changed?.Invoke();
        return (login, replaced);
    }

    /// <summary>The phone unlinked the device: the login stays, unusable until the phone links it again.</summary>
    public Login? MarkBadCredentials(string deviceId, string error)
    {
        while (byDevice.TryGetValue(deviceId, out var login))
        {
            var updated = login with { State = LoginStates.BadCredentials, StateError = error };
            if (byDevice.TryUpdate(deviceId, updated, login))
            {
                Changed?.Invoke();
                return updated;
            }
        }
        return null;
    }

    public bool Remove(string deviceId, string userId)
    {
        var removed = byDevice.TryGetValue(deviceId, out var login) && login.UserId == userId
            && byDevice.TryRemove(new KeyValuePair<string, Login>(deviceId, login));
        if (removed)
        {
            Changed?.Invoke();
        }
        return removed;
    }

    public void Restore(IEnumerable<Login> logins)
    {
        foreach (var login in logins)
        {
            byDevice[login.DeviceId] = login;
        }
    }
}
