using System.Diagnostics;
using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Matrix;
using Gateway.Shared.Redis;
using StackExchange.Redis;

namespace Gateway.Api.Bridges;

/// <summary>A recipient as the bridge resolved it: its portal room (and, for a contact, the bridge's ghost of it), or why not.</summary>
public sealed record Resolution(string? RoomId, string? Error, string? ContactGhost = null, string? ContactId = null)
{
    /// <summary>A contact the bridge found on its network (<c>resolve-identifier</c>), with no chat opened.</summary>
    public static Resolution Contact(string contactId) => new(null, null, ContactId: contactId);
    public static Resolution Room(string roomId, string? contactGhost = null) => new(roomId, null, contactGhost);
    public static Resolution Failed(string error) => new(null, error);
    /// <summary>A command that names no room (a logout) did what it was asked.</summary>
    public static readonly Resolution Done = new(null, null);
}

/// <summary>
/// The bridge commands the gateway sends (docs/bridge.md#commands), while holding the management room's lock (see
/// <see cref="BridgeCommands"/>). The bot's answers do not say which command they answer, so a command that waits for
/// one is recorded as awaited; the SyncWorker tags the next answer with its id and clears it (docs/bridge.md#answers).
/// While an answer is owed to an earlier command, the next answer is that command's: no new command is asked until
/// it comes. Only <see cref="BridgeCommands"/> makes one; disposing releases the lock.
/// </summary>
public sealed class BotConversation(MatrixSession session, BridgePlatform platform, string roomId, MatrixClient matrix,
    IConnectionMultiplexer redis, UpstreamTime time, ApiTelemetry telemetry, TimeSpan answerTimeout, Func<Task> release) : IAsyncDisposable
{
    public const string NoAnswer = "The bridge did not answer in time";
    public const string StillOwed = "The bridge has not yet answered an earlier command; try again later";

    /// <summary>
    /// How long an unanswered command is still owed its answer. Past it the answer is taken for lost, so that a bridge
    /// that dropped a command cannot block new recipients for good; an answer later than this is the one risk left.
    /// </summary>
    public static readonly TimeSpan AnswerOwedFor = TimeSpan.FromMinutes(5);

    /// <summary>Asks for a QR login; the codes and the outcome reach the link's socket through the SyncWorker.</summary>
    public Task LoginWithQrAsync(CancellationToken cancellationToken) => SendAsync("login qr", cancellationToken);

    /// <summary>Asks for a pairing-code login for <paramref name="phoneDigits"/>; the code reaches the socket as the QR does.</summary>
    public Task LoginWithPhoneAsync(string phoneDigits, CancellationToken cancellationToken) => SendAsync($"login phone +{phoneDigits}", cancellationToken);

    /// <summary>
    /// Logs the bridge out of <paramref name="deviceId"/>: <see cref="Resolution.Done"/> once the bot says so, or that it has
    /// no such login of this user (nothing is left to log out), else why not.
    /// </summary>
    public Task<Resolution> LogoutAsync(string deviceId, CancellationToken cancellationToken) =>
        AskAsync(BotAnswer.Logout, $"logout {deviceId}", answer => new(answer.Kind switch
        {
            BotAnswerKind.LoggedOut or BotAnswerKind.LoginNotFound => Resolution.Done,
            _ => Resolution.Failed(answer.Body),
        }), cancellationToken, subject: deviceId); // named so that an answer later than the wait still unlinks the device

    /// <summary>The portal of a direct chat with <paramref name="contact"/> (normalised), opened by the bridge if new.</summary>
    public Task<Resolution> StartChatAsync(string deviceId, string contact, CancellationToken cancellationToken) =>
        AskAsync(BotAnswer.StartChat, $"start-chat {deviceId} {contact}", answer => new(answer.Kind switch
        {
            BotAnswerKind.ChatReady => Resolution.Room(answer.RoomId!, answer.ContactId is { } id ? platform.GhostUserId(id, session.Server) : null),
            BotAnswerKind.ChatFailed or BotAnswerKind.CommandRefused => Resolution.Failed(answer.Body),
            _ => Resolution.Failed($"The bridge answered something else: {answer.Body}"),
        }), cancellationToken);

    /// <summary>Whether <paramref name="contact"/> (normalised) is on the network, asked without opening a chat with it.</summary>
    public Task<Resolution> ResolveIdentifierAsync(string deviceId, string contact, CancellationToken cancellationToken) =>
        AskAsync(BotAnswer.ResolveIdentifier, $"resolve-identifier {deviceId} {contact}", answer => new(answer.Kind switch
        {
            BotAnswerKind.ContactFound => Resolution.Contact(answer.ContactId!),
            BotAnswerKind.ChatFailed or BotAnswerKind.CommandRefused => Resolution.Failed(answer.Body),
            _ => Resolution.Failed($"The bridge answered something else: {answer.Body}"),
        }), cancellationToken);

    /// <summary>
    /// The portal of the group behind <paramref name="inviteUrl"/>: the device's login joins it, then the bot invites the
    /// identity to its portal, unless the identity sits in it already (<paramref name="recordedPortal"/> finds the room of
    /// a group by its chat id): a phone that was in the group before it linked has had its portal since the login, and
    /// the bridge invites nobody again.
    /// </summary>
    public Task<Resolution> JoinGroupAsync(string deviceId, string inviteUrl, Func<string, Task<string?>> recordedPortal, CancellationToken cancellationToken) =>
        AskAsync(BotAnswer.Join, $"join {deviceId} {inviteUrl}", answer => answer.Kind switch
        {
            // The portal invite follows the answer; its m.bridge names the group it stands for.
            BotAnswerKind.GroupJoined => new(null, notice => notice.RemoteId == answer.GroupId, () => recordedPortal(answer.GroupId!)),
            BotAnswerKind.GroupFailed or BotAnswerKind.CommandRefused => new(Resolution.Failed(answer.Body)),
            _ => new(Resolution.Failed($"The bridge answered something else: {answer.Body}")),
        }, cancellationToken);

    public ValueTask DisposeAsync() => new(release());

    private Task SendAsync(string command, CancellationToken cancellationToken) =>
        matrix.SendTextAsync(session.AccessToken, roomId, command, cancellationToken);

    /// <summary>What an answer means: the resolution, or (after a join) which portal invite to wait for unless the portal is known.</summary>
    private sealed record Conclusion(Resolution? Resolution, Func<BotNotice, bool>? PortalInvite = null, Func<Task<string?>>? KnownPortal = null);

    /// <summary>
    /// Sends <paramref name="command"/> once no earlier answer is owed, and concludes from the answer tagged with its id
    /// (and, for a join, the portal invite after it). Every wait ends within the answer timeout: then the command fails.
    /// </summary>
    private async Task<Resolution> AskAsync(string kind, string command, Func<BotAnswer, Conclusion> conclude, CancellationToken cancellationToken,
        string? subject = null)
    {
        var db = redis.GetDatabase();
        var awaited = RedisNames.AwaitedAnswer(session.IdentityId, platform.Key);
        var commandId = BotAnswer.CommandId(kind, subject); // the worker gives it only to an answer of this kind
        // Listen before speaking: the answer can arrive before the send call returns.
        var notices = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisNames.BotChannel(session.IdentityId)));
        var started = Stopwatch.GetTimestamp();
        var sent = false;
        var outcome = "failed"; // the homeserver did not take the command, or the wait broke off
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(answerTimeout);
        try
        {
            while (!await db.LockTakeAsync(awaited, commandId, AnswerOwedFor))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token); // the SyncWorker clears it when the owed answer comes
            }
            try
            {
                await SendAsync(command, cancellationToken);
                sent = true;
            }
            catch (MatrixException refused) when ((int)refused.Status is >= 400 and < 500)
            {
                outcome = "refused";
                await db.LockReleaseAsync(awaited, commandId); // refused, so never sent: no answer is owed
                throw;
            }
            // Any other failure (a timeout, a dropped connection) may come after the homeserver stored the command: its
            // answer may still come, so it stays owed.
            timeout.CancelAfter(answerTimeout); // the whole timeout for the answer, however long the owed one took
            // Portal invites seen meanwhile are kept: the worker may relay a join's invite before its answer.
            var invites = new List<BotNotice>();
            BotNotice? notice;
            while ((notice = await NextAsync(notices, timeout.Token)) is not { Kind: BotNotice.Answer } || notice.AnswerTo != commandId)
            {
                if (notice is { Kind: BotNotice.PortalJoined })
                {
                    invites.Add(notice);
                }
            }
            outcome = "answered";
            var conclusion = conclude(BotAnswer.Read(notice.Body ?? ""));
            if (conclusion.PortalInvite is not { } isPortal)
            {
                return conclusion.Resolution!;
            }
            // Listening since before the command: a portal joined after this look is heard of below.
            if (invites.FirstOrDefault(isPortal) is null && conclusion.KnownPortal is { } known && await known() is { } recorded)
            {
                return Resolution.Room(recorded);
            }
            BotNotice? invite;
            while ((invite = invites.FirstOrDefault(isPortal)) is null)
            {
                if (await NextAsync(notices, timeout.Token) is { Kind: BotNotice.PortalJoined } next)
                {
                    invites.Add(next);
                }
            }
            return Resolution.Room(invite.RoomId);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A command sent stays awaited: its answer, when it comes, is taken off by the SyncWorker and by no one else.
            outcome = sent ? "no_answer" : "still_owed";
            return Resolution.Failed(sent ? NoAnswer : StillOwed);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            time.AddBridge(elapsed);
            telemetry.Commanded(kind, platform.Key, outcome, elapsed);
            await notices.UnsubscribeAsync();
        }
    }

    private async Task<BotNotice?> NextAsync(ChannelMessageQueue notices, CancellationToken cancellationToken) =>
        BotNotice.FromJson((await notices.ReadAsync(cancellationToken)).Message.ToString()) is { } notice && notice.Platform == platform.Key
            ? notice
            : null;
}
