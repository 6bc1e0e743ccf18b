using System.Diagnostics;
using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Redis;
using StackExchange.Redis;

namespace Gateway.Api.Bridges;

/// <summary>
/// Sends a command to a bridge bot and waits for what it does in answer (its replies and portal invites, relayed
/// by the SyncWorker on the identity's bot channel). One command at a time per management room, across Api
/// replicas, so an answer can never be taken for the answer to another command.
/// </summary>
public sealed class BotConversation(MatrixClient matrix, ManagementRooms managementRooms, IConnectionMultiplexer redis, UpstreamTime time)
{
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Holds the management room's command lock until disposed.</summary>
    public async Task<IAsyncDisposable> LockAsync(MatrixSession session, BridgePlatform platform, CancellationToken cancellationToken)
    {
        var key = $"gw:{session.IdentityId}:command:{platform.Key}";
        var owner = Guid.NewGuid().ToString("N");
        var db = redis.GetDatabase();
        var deadline = DateTime.UtcNow + AnswerTimeout;
        long? waitingSince = null;
        while (!await db.LockTakeAsync(key, owner, AnswerTimeout + TimeSpan.FromSeconds(15)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new BridgeUnavailableException("Another command to the bridge is taking too long.");
            }
            waitingSince ??= Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromMilliseconds(25), cancellationToken);
        }
        if (waitingSince is { } since)
        {
            time.AddBridge(Stopwatch.GetElapsedTime(since)); // waiting behind another command is waiting on the bridge
        }
        return new Release(() => db.LockReleaseAsync(key, owner));
    }

    /// <summary>
    /// Sends <paramref name="command"/> and returns the first notice <paramref name="conclusive"/> accepts, or null
    /// when the bot says nothing conclusive in time. Call it while holding <see cref="LockAsync"/>.
    /// </summary>
    public async Task<T?> AskAsync<T>(MatrixSession session, BridgePlatform platform, string command,
        Func<BotNotice, T?> conclusive, CancellationToken cancellationToken) where T : class
    {
        var roomId = await managementRooms.EnsureAsync(session, platform, cancellationToken);
        // Listen before speaking: the answer can arrive before the send call returns.
        long? sent = null;
        var notices = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisNames.BotChannel(session.IdentityId)));
        try
        {
            await matrix.SendTextAsync(session.AccessToken, roomId, command, cancellationToken);
            sent = Stopwatch.GetTimestamp();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(AnswerTimeout);
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

    private sealed class Release(Func<Task> release) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await release();
    }
}
