using System.Collections.Concurrent;

namespace Gateway.Sandbox.Bridge;

/// <summary>A linked phone: the device id is the phone's digits, owned by the Matrix user who scanned its QR.</summary>
public sealed record Login(string DeviceId, string UserId, string ManagementRoomId, DateTimeOffset LinkedAt);

/// <summary>
/// The logins of one platform. A number is one account, so linking it again (by anyone) replaces the earlier login,
/// as WhatsApp does when a phone links a new companion.
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

    public void Add(Login login)
    {
        byDevice[login.DeviceId] = login;
        Changed?.Invoke();
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
