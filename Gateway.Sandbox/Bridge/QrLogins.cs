using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gateway.Sandbox.Matrix;
using Gateway.Sandbox.Media;
using QRCoder;

namespace Gateway.Sandbox.Bridge;

public enum ScanOutcome { Accepted, Expired, Unknown }

/// <summary>
/// QR logins in progress. Like WhatsApp's, a pending login shows a code that lives <c>FirstQrSeconds</c>, then is
/// replaced <c>QrRefreshes</c> times every <c>QrRefreshSeconds</c>; only the code on screen can be scanned.
/// Each refresh is announced with the instructions notice, then an edit of the <c>qr.png</c> image. When the login
/// ends the image is redacted and the bot says how it ended.
/// </summary>
public sealed class QrLogins(PlatformBridge bridge, FailureSwitches switches, ILogger<QrLogins> logger)
{
    private readonly ConcurrentDictionary<Guid, PendingLogin> pending = new();

    public IReadOnlyList<PendingLogin> Pending => [.. pending.Values];

    /// <summary>Shows the first code and keeps the schedule in the background.</summary>
    public PendingLogin Start(string userId, string roomId)
    {
        var login = new PendingLogin(Guid.NewGuid(), userId, roomId);
        pending[login.Id] = login;
        _ = RunAsync(login);
        return login;
    }

    /// <summary>A phone scans <paramref name="code"/>: only the code a pending login currently shows is accepted.</summary>
    public (ScanOutcome Outcome, PendingLogin? Login) Scan(string code, string phoneDigits)
    {
        foreach (var login in pending.Values)
        {
            var outcome = login.TryScan(code, phoneDigits);
            if (outcome != ScanOutcome.Unknown)
            {
                return (outcome, login);
            }
        }
        return (ScanOutcome.Unknown, null);
    }

    private async Task RunAsync(PendingLogin login)
    {
        var options = bridge.Platform.Options;
        var lifetimes = new[] { options.FirstQrSeconds }.Concat(Enumerable.Repeat(options.QrRefreshSeconds, Math.Max(0, options.QrRefreshes)));
        string? qrEventId = null;
        try
        {
            string? phone = null;
            foreach (var lifetime in lifetimes)
            {
                var code = login.ShowNewCode(NewPayload());
                if (qrEventId is null || !switches.DropQrRefreshes)
                {
                    await bridge.SayAsync(login.RoomId, MessageContent.Notice(options.QrInstructions));
                    var (url, info) = await UploadQrAsync(code);
                    var eventId = await bridge.SayAsync(login.RoomId, MessageContent.QrImage(code, url, info, replaces: qrEventId));
                    qrEventId ??= eventId;
                }
                phone = await login.WaitForScanAsync(TimeSpan.FromSeconds(lifetime));
                if (phone is not null)
                {
                    break;
                }
            }
            login.Expire();
            phone ??= login.ScannedPhone; // a scan that landed between the last timeout and Expire still counts
            await RedactAsync(login, qrEventId);
            await bridge.FinishLoginAsync(login, phone);
        }
        catch (Exception e)
        {
            logger.LogError(e, "QR login in {RoomId} broke off", login.RoomId);
            login.Fail(e);
        }
        finally
        {
            pending.TryRemove(login.Id, out _);
        }
    }

    private async Task RedactAsync(PendingLogin login, string? qrEventId)
    {
        if (qrEventId is not null)
        {
            await bridge.Matrix.RedactAsync(null, login.RoomId, qrEventId, CancellationToken.None);
        }
    }

    private async Task<(string Url, System.Text.Json.Nodes.JsonObject Info)> UploadQrAsync(string code)
    {
        var png = PngByteQRCodeHelper.GetQRCode(code, QRCodeGenerator.ECCLevel.L, 8);
        var url = await bridge.Matrix.UploadAsync(null, png, "image/png", "qr.png", CancellationToken.None);
        return (url, MediaFiles.InfoFor(png, "image/png"));
    }

    /// <summary>Shaped like a WhatsApp pairing payload: a ref, then the companion's noise key, identity key and secret.</summary>
    private static string NewPayload() =>
        $"2@{Convert.ToBase64String(RandomNumberGenerator.GetBytes(66))},{Key(32)},{Key(32)},{Key(32)}";

    private static string Key(int bytes) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes));
}
