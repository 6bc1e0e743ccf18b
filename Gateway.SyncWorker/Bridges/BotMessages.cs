using System.Text.Json.Nodes;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Gateway.Shared.Redis;
using StackExchange.Redis;

namespace Gateway.SyncWorker.Bridges;

/// <summary>
/// Turns what a bridge bot says in a management room into the gateway's terms (docs/bridge.md#linking): QR images and their
/// edits become <c>qr</c> frames, the success text a device row and a <c>success</c> frame, a failed login an
/// <c>error</c> frame. Every answer is also relayed on the identity's bot channel for requests waiting on it.
/// </summary>
public sealed class BotMessages(GatewayDb db, IConnectionMultiplexer redis, TimeProvider clock, ILogger<BotMessages> logger)
{
    public async Task HandleAsync(MatrixSession identity, BridgePlatform platform, string roomId, JsonNode message, CancellationToken cancellationToken)
    {
        var content = message["content"];
        var body = content?["body"]?.GetValue<string>() ?? "";
        await PublishAsync(RedisNames.BotChannel(identity.IdentityId), new BotNotice(platform.Key, BotNotice.Answer, roomId, body).ToJson());

        var answer = BotAnswer.Read(content);
        switch (answer.Kind)
        {
            case BotAnswerKind.QrCode:
                await PublishFrameAsync(identity, platform, LinkFrame.Qr(answer.QrCode!, answer.IsRefresh ? platform.QrRefreshSeconds : platform.FirstQrSeconds));
                break;
            case BotAnswerKind.LoggedIn:
                await RecordDeviceAsync(identity, platform, answer.DeviceId!, cancellationToken);
                await PublishFrameAsync(identity, platform, LinkFrame.Success(platform.Key, answer.DeviceId!));
                break;
            case BotAnswerKind.LoginFailed:
                await PublishFrameAsync(identity, platform, LinkFrame.Failure(answer.Body));
                break;
        }
    }

    /// <summary>The identity joined a portal room; requests resolving a recipient wait for this.</summary>
    public Task PortalJoinedAsync(MatrixSession identity, BridgePlatform platform, string roomId, JsonNode? bridgeState, CancellationToken cancellationToken)
    {
        var remoteId = bridgeState?["channel"]?["id"]?.GetValue<string>();
        return PublishAsync(RedisNames.BotChannel(identity.IdentityId), new BotNotice(platform.Key, BotNotice.PortalJoined, roomId, RemoteId: remoteId).ToJson());
    }

    private async Task RecordDeviceAsync(MatrixSession identity, BridgePlatform platform, string deviceId, CancellationToken cancellationToken)
    {
        // Re-linking the same number (or replaying a batch after a crash) must not add a second row.
        var inserted = await db.AddDeviceIfMissingAsync(identity.IdentityId, platform.Key, deviceId, clock.GetUtcNow().UtcDateTime, cancellationToken);
        logger.LogInformation("Device {Platform}/{DeviceId} linked to {UserId} ({State})", platform.Key, deviceId, identity.UserId,
            inserted == 1 ? "new" : "again");
    }

    private async Task PublishFrameAsync(MatrixSession identity, BridgePlatform platform, LinkFrame frame)
    {
        var json = frame.ToJson();
        var database = redis.GetDatabase();
        await database.StringSetAsync(RedisNames.LastLinkFrame(identity.IdentityId, platform.Key), json, TimeSpan.FromSeconds(platform.LinkWindowSeconds));
        if (frame.IsFinal)
        {
            await database.KeyDeleteAsync(RedisNames.PendingLink(identity.IdentityId, platform.Key));
        }
        await PublishAsync(RedisNames.LinkChannel(identity.IdentityId, platform.Key), json);
    }

    private Task PublishAsync(string channel, string json) => redis.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), json);
}
