using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Redis;
using Gateway.SyncWorker.Sync;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Gateway.SyncWorker.Bridges;

/// <summary>
/// Turns what a bridge bot says in a management room into the gateway's terms (BRIDGE.md): QR images and their
/// edits become <c>qr</c> frames, the success text a device row and a <c>success</c> frame, a failed login an
/// <c>error</c> frame. Every answer is also relayed on the identity's bot channel for requests waiting on it.
/// </summary>
public sealed partial class BotMessages(GatewayDb db, IConnectionMultiplexer redis, TimeProvider clock, ILogger<BotMessages> logger)
{
    [GeneratedRegex(@"^Successfully logged in as \+?(?<number>[0-9]+)")]
    private static partial Regex LoggedIn();

    public async Task HandleAsync(SyncIdentity identity, BridgePlatform platform, string roomId, JsonNode message, CancellationToken cancellationToken)
    {
        var content = message["content"];
        var body = content?["body"]?.GetValue<string>() ?? "";
        await PublishAsync(RedisNames.BotChannel(identity.Id), new BotNotice(platform.Key, BotNotice.Answer, roomId, body).ToJson());

        if (QrCodeOf(content) is { } qr)
        {
            await PublishFrameAsync(identity, platform, LinkFrame.Qr(qr.Code, qr.IsRefresh ? platform.QrRefreshSeconds : platform.FirstQrSeconds));
        }
        else if (LoggedIn().Match(body) is { Success: true } success)
        {
            var deviceId = success.Groups["number"].Value;
            await RecordDeviceAsync(identity, platform, deviceId, cancellationToken);
            await PublishFrameAsync(identity, platform, LinkFrame.Success(platform.Key, deviceId));
        }
        else if (body.StartsWith("Login failed:", StringComparison.Ordinal) || body.StartsWith("Failed to start login:", StringComparison.Ordinal))
        {
            await PublishFrameAsync(identity, platform, LinkFrame.Failure(body));
        }
    }

    /// <summary>The identity joined a portal room; requests resolving a recipient wait for this.</summary>
    public Task PortalJoinedAsync(SyncIdentity identity, BridgePlatform platform, string roomId, JsonNode? bridgeState, CancellationToken cancellationToken)
    {
        var remoteId = bridgeState?["channel"]?["id"]?.GetValue<string>();
        return PublishAsync(RedisNames.BotChannel(identity.Id), new BotNotice(platform.Key, BotNotice.PortalJoined, roomId, RemoteId: remoteId).ToJson());
    }

    /// <summary>The QR payload of a login image, or of an edit that replaces it.</summary>
    private static (string Code, bool IsRefresh)? QrCodeOf(JsonNode? content)
    {
        var isEdit = content?["m.relates_to"]?["rel_type"]?.GetValue<string>() == "m.replace";
        var image = isEdit ? content?["m.new_content"] : content;
        if (image?["msgtype"]?.GetValue<string>() != "m.image" || image["body"]?.GetValue<string>() is not { Length: > 0 } code)
        {
            return null;
        }
        return (code, isEdit);
    }

    private async Task RecordDeviceAsync(SyncIdentity identity, BridgePlatform platform, string deviceId, CancellationToken cancellationToken)
    {
        // Re-linking the same number (or replaying a batch after a crash) must not add a second row.
        var inserted = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO devices (identity_id, platform, device_id, created_at)
            VALUES ({identity.Id}, {platform.Key}, {deviceId}, {clock.GetUtcNow().UtcDateTime})
            ON CONFLICT (identity_id, platform, device_id) DO NOTHING
            """, cancellationToken);
        logger.LogInformation("Device {Platform}/{DeviceId} linked to {UserId} ({State})", platform.Key, deviceId, identity.UserId,
            inserted == 1 ? "new" : "again");
    }

    private async Task PublishFrameAsync(SyncIdentity identity, BridgePlatform platform, LinkFrame frame)
    {
        var json = frame.ToJson();
        var database = redis.GetDatabase();
        await database.StringSetAsync(RedisNames.LastLinkFrame(identity.Id, platform.Key), json, TimeSpan.FromSeconds(platform.LinkWindowSeconds));
        if (frame.IsFinal)
        {
            await database.KeyDeleteAsync(RedisNames.PendingLink(identity.Id, platform.Key));
        }
        await PublishAsync(RedisNames.LinkChannel(identity.Id, platform.Key), json);
    }

    private Task PublishAsync(string channel, string json) => redis.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), json);
}
