using System.Diagnostics;
using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Matrix;
using Gateway.Shared.Redis;
using StackExchange.Redis;

namespace Gateway.Api.Bridges;

/// <summary>A recipient as the bridge resolved it: its portal room, or why not.</summary>
public sealed record Resolution(string? RoomId, string? Error)
{
    public static Resolution Room(string roomId) => new(roomId, null);
    public static Resolution Failed(string error) => new(null, error);
}

/// <summary>
/// The bridge commands the gateway sends (docs/bridge.md#commands), while holding the management room's lock (see
/// <see cref="BridgeCommands"/>). Answers come back from the SyncWorker on the identity's bot channel and are read by
/// <see cref="BotAnswer"/>. Only <see cref="BridgeCommands"/> makes one; disposing releases the lock.
/// </summary>
public sealed class BotConversation(MatrixSession session, BridgePlatform platform, string roomId, MatrixClient matrix,
    IConnectionMultiplexer redis, UpstreamTime time, Func<Task> release) : IAsyncDisposable
{
    /// <summary>Asks for a QR login; the codes and the outcome reach the link's socket through the SyncWorker.</summary>
    public Task LoginWithQrAsync(CancellationToken cancellationToken) => SendAsync("login qr", cancellationToken);

    public Task LogoutAsync(string deviceId, CancellationToken cancellationToken) => SendAsync($"logout {deviceId}", cancellationToken);

    /// <summary>The portal of a direct chat with <paramref name="contact"/> (normalised), opened by the bridge if new.</summary>
    public async Task<Resolution> StartChatAsync(string deviceId, string contact, CancellationToken cancellationToken) =>
        await AskAsync($"start-chat {deviceId} {contact}", notice =>
        {
            if (notice.Kind == BotNotice.PortalJoined)
            {
                return notice.RemoteId is { } remote && MatrixIds.NormalizeContact(remote.Split('@')[0]) == contact ? Resolution.Room(notice.RoomId) : null;
            }
            var answer = BotAnswer.Read(notice.Body ?? "");
            return answer.Kind switch
            {
                BotAnswerKind.ChatReady => Resolution.Room(answer.RoomId!),
                BotAnswerKind.ChatFailed => Resolution.Failed(answer.Body),
                _ => null,
            };
        }, cancellationToken) ?? Resolution.Failed("The bridge did not answer in time");

    /// <summary>The portal of the group behind <paramref name="inviteUrl"/>: the bot joins it, then invites the identity to its portal.</summary>
    public async Task<Resolution> JoinGroupAsync(string inviteUrl, CancellationToken cancellationToken)
    {
        string? groupId = null;
        return await AskAsync($"join {inviteUrl}", notice =>
        {
            if (notice.Kind == BotNotice.PortalJoined)
            {
                return groupId is not null && (notice.RemoteId is null || notice.RemoteId == groupId) ? Resolution.Room(notice.RoomId) : null;
            }
            var answer = BotAnswer.Read(notice.Body ?? "");
            switch (answer.Kind)
            {
                case BotAnswerKind.GroupJoined:
                    groupId = answer.GroupId; // the portal invite follows
                    return null;
                case BotAnswerKind.GroupFailed:
                    return Resolution.Failed(answer.Body);
                default:
                    return null;
            }
        }, cancellationToken) ?? Resolution.Failed("The bridge did not answer in time");
    }

    public ValueTask DisposeAsync() => new(release());

    private Task SendAsync(string command, CancellationToken cancellationToken) =>
        matrix.SendTextAsync(session.AccessToken, roomId, command, cancellationToken);

    /// <summary>
    /// Sends <paramref name="command"/> and returns the first notice <paramref name="conclusive"/> accepts, or null
    /// when the bot says nothing conclusive within <see cref="BridgeCommands.AnswerTimeout"/>.
    /// </summary>
    private async Task<T?> AskAsync<T>(string command, Func<BotNotice, T?> conclusive, CancellationToken cancellationToken) where T : class
    {
        // Listen before speaking: the answer can arrive before the send call returns.
        long? sent = null;
        var notices = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisNames.BotChannel(session.IdentityId)));
        try
        {
            await SendAsync(command, cancellationToken);
            sent = Stopwatch.GetTimestamp();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(BridgeCommands.AnswerTimeout);
            while (true)
            {
                var message = await notices.ReadAsync(timeout.Token);
                if (BotNotice.FromJson(message.Message.ToString()) is { } notice && notice.Platform == platform.Key
                    && conclusive(notice) is { } answer)
                {
                    return answer;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            if (sent is { } since)
            {
                time.AddBridge(Stopwatch.GetElapsedTime(since));
            }
            await notices.UnsubscribeAsync();
        }
    }
}
