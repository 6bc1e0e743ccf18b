using Gateway.Shared.Data;
using Gateway.Shared.Redis;
using Gateway.SyncWorker.Delivery;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Gateway.SyncWorker.Bridges;

/// <summary>
/// What the bridge reports about a phone, recorded on its device row: linked (to this identity, moving it from any
/// other, as the bridge moves its login), unlinked by the phone, or logged out on the gateway's command. Each report carries the time the bot wrote it, so
/// a batch replayed after a crash, or one identity's loop running behind another's, never undoes a later report. Each
/// change is told as <c>device.status</c> in the same transaction, so it is told once.
/// </summary>
public sealed class DeviceLinks(GatewayDb db, WebhookOutbox outbox, IConnectionMultiplexer redis, ILogger<DeviceLinks> logger)
{
    public async Task LinkedAsync(int identityId, string userId, string platform, string deviceId, BotReport report, CancellationToken cancellationToken)
    {
        var linkedAt = report.SentAt;
        var connected = DeviceStatusPayload.Of(report, platform, deviceId, DeviceStatusPayload.Connected, null);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.AddDeviceIfMissingAsync(identityId, platform, deviceId, linkedAt, cancellationToken) == 1)
        {
            await outbox.RecordAsync(identityId, connected, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            await outbox.AnnounceAsync();
            logger.LogInformation("Device {Platform}/{DeviceId} linked to {UserId}", platform, deviceId, userId);
            return;
        }
        var device = await db.Devices
            .FromSql($"SELECT * FROM devices WHERE platform = {platform} AND device_id = {deviceId} FOR UPDATE")
            .SingleAsync(cancellationToken);
        if (device.CreatedAt > linkedAt)
        {
            logger.LogInformation("Device {Platform}/{DeviceId}: a link to {UserId} older than its current one is ignored", platform, deviceId, userId);
            return;
        }
        var previous = device.IdentityId;
        (device.IdentityId, device.Status, device.StatusReason, device.CreatedAt) = (identityId, DeviceStatus.Connected, null, linkedAt);
        if (previous != identityId)
        {
            // The old identity keeps its Matrix rooms, but they are no longer its chats: its room map forgets them.
            await db.BridgeRooms
                .Where(r => r.IdentityId == previous && r.Platform == platform && r.DeviceId == deviceId && r.Kind != BridgeRoomKind.Management)
                .ExecuteDeleteAsync(cancellationToken);
            await db.Portals.Where(p => p.IdentityId == previous && p.Platform == platform && p.DeviceId == deviceId).ExecuteDeleteAsync(cancellationToken);
            // Told to the identity that lost the phone; after this it hears nothing of it.
            await outbox.RecordAsync(previous, DeviceStatusPayload.Of(report, platform, deviceId, DeviceStatusPayload.Moved, null), cancellationToken); // never who took it
        }
        await db.SaveChangesAsync(cancellationToken);
        await outbox.RecordAsync(identityId, connected, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Device {Platform}/{DeviceId} linked to {UserId} ({How})", platform, deviceId, userId,
            previous == identityId ? "again" : $"moved from identity {previous}");
        await RevokeKeptGrantsAsync();
    }

    public async Task LoggedOutAsync(int identityId, string platform, string deviceId, string reason, BotReport report, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await db.Devices
            .Where(d => d.IdentityId == identityId && d.Platform == platform && d.DeviceId == deviceId && d.CreatedAt <= report.SentAt)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.Status, DeviceStatus.LoggedOut).SetProperty(x => x.StatusReason, reason), cancellationToken);
        if (changed > 0)
        {
            await outbox.RecordAsync(identityId, DeviceStatusPayload.Of(report, platform, deviceId, DeviceStatusPayload.LoggedOut, reason), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        if (changed > 0)
        {
            logger.LogInformation("Device {Platform}/{DeviceId} was logged out by the phone: {Reason}", platform, deviceId, reason);
            await RevokeKeptGrantsAsync();
        }
    }

    /// <summary>The bridge confirmed a <c>logout</c> of the device: it is no longer the identity's (if it still was).</summary>
    public async Task UnlinkedAsync(int identityId, string platform, string deviceId, BotReport report, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var deleted = await db.Devices.Where(d => d.IdentityId == identityId && d.Platform == platform && d.DeviceId == deviceId).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            await outbox.RecordAsync(identityId, DeviceStatusPayload.Of(report, platform, deviceId, DeviceStatusPayload.Deleted, null), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        if (deleted > 0)
        {
            logger.LogInformation("Device {Platform}/{DeviceId} unlinked: the bridge confirmed its logout", platform, deviceId);
            await RevokeKeptGrantsAsync();
        }
    }

    /// <summary>Api replicas keep a device's status a few seconds: they must ask again now. Its event goes out now too.</summary>
    private async Task RevokeKeptGrantsAsync()
    {
        await outbox.AnnounceAsync();
        try
        {
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisNames.AccessRevokedChannel), "");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Could not tell the Api of a device change; its kept grants run out by themselves");
        }
    }
}
