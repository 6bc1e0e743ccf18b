namespace Gateway.Sandbox.Bridge;

/// <summary>
/// One login waiting for a phone: the code on screen (a QR payload, or a pairing code for <paramref name="phone"/>),
/// the codes it showed before, and how it ended.
/// </summary>
public sealed class PendingLogin(Guid id, string userId, string roomId, string? phone = null)
{
    private readonly object gate = new();
    private readonly HashSet<string> shownBefore = [];
    private readonly TaskCompletionSource<string> scanned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Login?> finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? current;

    public Guid Id { get; } = id;
    public string UserId { get; } = userId;
    public string RoomId { get; } = roomId;
    /// <summary>The number a pairing-code login was asked for; null for a QR login, which any phone may scan.</summary>
    public string? Phone { get; } = phone;
    public string Flow => Phone is null ? "qr" : "phone";
    public string? CurrentCode { get { lock (gate) { return current; } } }

    public string? ScannedPhone => scanned.Task.IsCompletedSuccessfully ? scanned.Task.Result : null;

    /// <summary>The login this ended in, or null when it timed out.</summary>
    public Task<Login?> Finished => finished.Task;

    public string ShowNewCode(string code)
    {
        lock (gate)
        {
            if (current is not null)
            {
                shownBefore.Add(current);
            }
            current = code;
            return code;
        }
    }

    public ScanOutcome TryScan(string code, string phoneDigits)
    {
        lock (gate)
        {
            if (code == current && scanned.TrySetResult(phoneDigits))
            {
                return ScanOutcome.Accepted;
            }
            return shownBefore.Contains(code) || code == current ? ScanOutcome.Expired : ScanOutcome.Unknown;
        }
    }

    /// <summary>The phone that scanned within <paramref name="lifetime"/>, or null when the code expired unscanned.</summary>
    public async Task<string?> WaitForScanAsync(TimeSpan lifetime)
    {
        try
        {
            return await scanned.Task.WaitAsync(lifetime);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>No code is scannable any more, though all of them are still recognised as this login's.</summary>
    public void Expire()
    {
        lock (gate)
        {
            if (current is not null)
            {
                shownBefore.Add(current);
            }
            current = null;
        }
    }

    public void Finish(Login? login) => finished.TrySetResult(login);

    public void Fail(Exception error) => finished.TrySetException(error);
}
