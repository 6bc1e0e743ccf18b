using System.Diagnostics;
using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Matrix;
using Gateway.Shared.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Api.Bridges;

/// <summary>
/// The only way to speak to a bridge bot: a <see cref="BotConversation"/> holds the management room's command lock,
/// across Api replicas, so one command at a time is sent per identity and platform (a command whose answer is late
/// stays awaited after the lock is gone: see <see cref="BotConversation"/>).
/// </summary>
public sealed class BridgeCommands(MatrixClient matrix, ManagementRooms managementRooms, IConnectionMultiplexer redis, UpstreamTime time,
    ApiTelemetry telemetry, IOptions<BridgeOptions> options, TimeProvider clock)
{
    private TimeSpan AnswerTimeout => options.Value.AnswerTimeout;

    /// <summary>Takes the lock, then the management room (created, and the bot waited for, on first need).</summary>
    public Task<BotConversation> OpenAsync(MatrixSession session, BridgePlatform platform, CancellationToken cancellationToken) =>
        OpenInAsync(session, platform, roomId: null, cancellationToken);

    /// <summary>As <see cref="OpenAsync"/>, but null when the identity never spoke to this bridge (no room is created).</summary>
    public async Task<BotConversation?> OpenExistingAsync(MatrixSession session, BridgePlatform platform, CancellationToken cancellationToken) =>
        await managementRooms.FindAsync(session, platform, cancellationToken) is { } roomId
            ? await OpenInAsync(session, platform, roomId, cancellationToken)
            : null;

    private async Task<BotConversation> OpenInAsync(MatrixSession session, BridgePlatform platform, string? roomId, CancellationToken cancellationToken)
    {
        var release = await LockAsync(session, platform, cancellationToken);
        try
        {
            roomId ??= await managementRooms.EnsureAsync(session, platform, cancellationToken);
            return new BotConversation(session, platform, roomId, matrix, redis, time, telemetry, AnswerTimeout, release);
        }
        catch
        {
            await release();
            throw;
        }
    }

    private async Task<Func<Task>> LockAsync(MatrixSession session, BridgePlatform platform, CancellationToken cancellationToken)
    {
        var key = RedisNames.CommandLock(session.IdentityId, platform.Key);
        var owner = Guid.NewGuid().ToString("N");
        var db = redis.GetDatabase();
        var deadline = clock.GetUtcNow() + AnswerTimeout;
        long? waitingSince = null;
        // Held for a command's two waits at most (an owed answer, then its own), with a margin.
        while (!await db.LockTakeAsync(key, owner, 2 * AnswerTimeout + TimeSpan.FromSeconds(15)))
        {
            if (clock.GetUtcNow() > deadline)
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
        return () => db.LockReleaseAsync(key, owner);
    }
}
