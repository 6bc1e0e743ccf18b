using System.Diagnostics;
using Gateway.Api.Errors;
using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Bridges;

/// <summary>
/// The direct room between an identity and a bridge bot, where commands go. Created on first need, then remembered
/// in the room map.
/// </summary>
public sealed class ManagementRooms(GatewayDb db, MatrixClient matrix, UpstreamTime time, TimeProvider clock, ILogger<ManagementRooms> logger)
{
    // A bridge bot joins its invites within moments; a missing bridge should fail the request, not hang it.
    private static readonly TimeSpan BotJoinTimeout = TimeSpan.FromSeconds(15);

    public async Task<string> EnsureAsync(MatrixSession session, BridgePlatform platform, CancellationToken cancellationToken)
    {
        var existing = await FindAsync(session, platform, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        var bot = platform.BotUserId(session.Server);
        var roomId = await matrix.CreateDirectRoomAsync(session.AccessToken, bot, cancellationToken);
        db.BridgeRooms.Add(new BridgeRoom
        {
            IdentityId = session.IdentityId,
            Platform = platform.Key,
            Kind = BridgeRoomKind.Management,
            RoomId = roomId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear(); // a concurrent request created it first: use theirs
            return await Find(session.IdentityId, platform.Key).FirstAsync(cancellationToken);
        }
        logger.LogInformation("Management room {RoomId} created with {Bot}", roomId, bot);
        await WaitForBotAsync(session, roomId, bot, cancellationToken);
        return roomId;
    }

    /// <summary>Commands sent before the bot has joined would never be read.</summary>
    private async Task WaitForBotAsync(MatrixSession session, string roomId, string bot, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + BotJoinTimeout;
        while (!(await matrix.JoinedMembersAsync(session.AccessToken, roomId, cancellationToken)).Contains(bot))
        {
            if (clock.GetUtcNow() > deadline)
            {
                throw new BridgeUnavailableException($"The bridge bot {bot} did not join its management room.");
            }
            var pause = Stopwatch.GetTimestamp(); // the member lists asked for in between count as the homeserver's
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            time.AddBridge(Stopwatch.GetElapsedTime(pause));
        }
    }

    /// <summary>The room, or null when the identity never spoke to this bridge.</summary>
    public Task<string?> FindAsync(MatrixSession session, BridgePlatform platform, CancellationToken cancellationToken) =>
        Find(session.IdentityId, platform.Key).FirstOrDefaultAsync(cancellationToken);

    private IQueryable<string> Find(int identityId, string platform) =>
        db.BridgeRooms
            .Where(r => r.IdentityId == identityId && r.Platform == platform && r.Kind == BridgeRoomKind.Management)
            .Select(r => r.RoomId);
}
