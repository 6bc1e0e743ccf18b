using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gateway.Sandbox.Matrix;

namespace Gateway.Sandbox.Bridge;

public enum PairOutcome { Accepted, Expired, Unknown }

/// <summary>
/// Pairing-code logins (<c>login phone +&lt;number&gt;</c>): the bot shows one code, never refreshed, and the phone of
/// that number types it in. Like whatsmeow's, the code lives as long as the QR codes would have
/// (<c>FirstQrSeconds + QrRefreshes × QrRefreshSeconds</c>), then the login fails with the QR flow's timeout text.
/// Also remembers who was asked for their number and has not answered yet (bridgev2's command state).
/// </summary>
public sealed class PairingLogins(PlatformBridge bridge, TimeProvider clock, ILogger<PairingLogins> logger)
{
    // whatsmeow's linking code alphabet (base32 without 0, O, I, U), 8 characters shown as ABCD-EFGH.
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTVWXYZ";
    private static readonly TimeSpan RememberExpired = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<Guid, PendingLogin> pending = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> expired = new();
    private readonly ConcurrentDictionary<string, byte> awaitingNumber = new();

    public IReadOnlyList<PendingLogin> Pending => [.. pending.Values];

    public void AwaitNumber(string userId) => awaitingNumber[userId] = 0;

    public bool IsAwaitingNumber(string userId) => awaitingNumber.ContainsKey(userId);

    public bool StopAwaitingNumber(string userId) => awaitingNumber.TryRemove(userId, out _);

    /// <summary>Shows the code for <paramref name="phone"/> and waits for it in the background.</summary>
    public PendingLogin Start(string userId, string roomId, string phone)
    {
        var login = new PendingLogin(Guid.NewGuid(), userId, roomId, phone);
        login.ShowNewCode(NewCode());
        pending[login.Id] = login;
        _ = RunAsync(login);
        return login;
    }

    /// <summary>The phone enters <paramref name="code"/> (any case, with or without the dash).</summary>
    public (PairOutcome Outcome, PendingLogin? Login) Pair(string code)
    {
        var entered = Normalise(code);
        foreach (var login in pending.Values)
        {
            switch (login.TryScan(entered, login.Phone!))
            {
                case ScanOutcome.Accepted:
                    return (PairOutcome.Accepted, login);
                case ScanOutcome.Expired:
                    return (PairOutcome.Expired, login);
            }
        }
        return (expired.ContainsKey(entered) ? PairOutcome.Expired : PairOutcome.Unknown, null);
    }

    private async Task RunAsync(PendingLogin login)
    {
        var options = bridge.Platform.Options;
        var code = login.CurrentCode!;
        try
        {
            await bridge.SayAsync(login.RoomId, MessageContent.Notice(options.PairingInstructions));
            var (html, body) = BotTexts.PairingCode(code);
            await bridge.SayAsync(login.RoomId, MessageContent.NoticeFromHtml(html, body));
            var window = TimeSpan.FromSeconds(options.FirstQrSeconds + Math.Max(0, options.QrRefreshes) * options.QrRefreshSeconds);
            var phone = await login.WaitForScanAsync(window);
            login.Expire();
            phone ??= login.ScannedPhone; // entered between the timeout and Expire: still counts
            if (phone is null)
            {
                Forget(code);
            }
            await bridge.FinishLoginAsync(login, phone);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Pairing-code login in {RoomId} broke off", login.RoomId);
            login.Fail(e);
        }
        finally
        {
            pending.TryRemove(login.Id, out _);
        }
    }

    /// <summary>A code that timed out stays recognised for a while, so a late phone hears "expired", not "unknown".</summary>
    private void Forget(string code)
    {
        var now = clock.GetUtcNow();
        expired[code] = now;
        foreach (var (old, at) in expired)
        {
            if (now - at > RememberExpired)
            {
                expired.TryRemove(old, out _);
            }
        }
    }

    private static string NewCode()
    {
        var code = RandomNumberGenerator.GetString(Alphabet, 8);
        return code[..4] + "-" + code[4..];
    }

    private static string Normalise(string code)
    {
        var letters = new string([.. code.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant)]);
        return letters.Length == 8 ? letters[..4] + "-" + letters[4..] : letters;
    }
}
