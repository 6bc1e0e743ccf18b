using System.Text.Json.Nodes;
using Gateway.Shared.Bridges;
using Gateway.Shared.Matrix;
using Gateway.Shared.Redis;
using StackExchange.Redis;

namespace Gateway.SyncWorker.Bridges;

/// <summary>
/// Turns what a bridge bot says in a management room into the gateway's terms (docs/bridge.md#linking): QR images and
/// their edits become <c>qr</c> frames, a pairing code a <c>code</c> frame, the success text a device link and a
/// <c>success</c> frame, a failed login an <c>error</c> frame, a phone's logout the device's status, the bridge's
/// confirmation of a <c>logout</c> the device's end. Every message is
/// also relayed on the identity's bot channel; an answer to a command carries the id of the command it answers.
/// </summary>
public sealed class BotMessages(DeviceLinks devices, IConnectionMultiplexer redis, ILogger<BotMessages> logger)
{
    // Takes the awaited command (<kind>:<id>) when this answer fits its kind, once per answer: a replayed batch finds
    // its answer taken and takes nothing.
    private static readonly LuaScript TakeAwaited = LuaScript.Prepare("""
        local awaited = redis.call('GET', @awaited)
        if not awaited or not string.find(@fits, ',' .. string.match(awaited, '^[^:]*') .. ',', 1, true) then
          return false
        end
        if redis.call('SET', @taken, '1', 'NX', 'EX', 86400) then
          redis.call('DEL', @awaited)
          return awaited
        end
        return false
        """);

    public async Task HandleAsync(MatrixSession identity, BridgePlatform platform, string roomId, JsonNode message, CancellationToken cancellationToken)
    {
        var content = message["content"];
        var answer = BotAnswer.Read(content);
        var sentAt = DateTimeOffset.FromUnixTimeMilliseconds(EventJson.Long(message["origin_server_ts"]) ?? 0).UtcDateTime;
        var report = new BotReport(EventJson.String(message["event_id"]) ?? "", roomId, sentAt);
        var answerTo = answer.Answers.Count > 0 && EventJson.String(message["event_id"]) is { } eventId
            ? await TakeAwaitedCommandAsync(identity, platform, eventId, answer.Answers)
            : null;
        if (answerTo is not null && answer.Kind is BotAnswerKind.LoggedOut or BotAnswerKind.LoginNotFound
            && BotAnswer.SubjectOf(answerTo) is { } loggedOut)
        {
            // Before the answer is relayed, and whether or not the Api still waits for it: a logout the bridge took
            // late leaves no device the bridge no longer has.
            await devices.UnlinkedAsync(identity.IdentityId, platform.Key, loggedOut, report, cancellationToken);
        }
        await PublishAsync(RedisNames.BotChannel(identity.IdentityId),
            new BotNotice(platform.Key, BotNotice.Answer, roomId, EventJson.String(content?["body"]) ?? "", AnswerTo: answerTo).ToJson());

        switch (answer.Kind)
        {
            case BotAnswerKind.QrCode:
                await PublishFrameAsync(identity, platform, LinkFrame.Qr(answer.Code!, answer.IsRefresh ? platform.QrRefreshSeconds : platform.FirstQrSeconds));
                break;
            case BotAnswerKind.PairingCode:
                await PublishFrameAsync(identity, platform, LinkFrame.PairingCode(answer.Code!, platform.PairingCodeSeconds));
                break;
            case BotAnswerKind.LoggedIn:
                await devices.LinkedAsync(identity.IdentityId, identity.UserId, platform.Key, answer.DeviceId!, report, cancellationToken);
                await PublishFrameAsync(identity, platform, LinkFrame.Success(platform.Key, answer.DeviceId!));
                break;
            case BotAnswerKind.LoginFailed:
                await PublishFrameAsync(identity, platform, LinkFrame.Failure(answer.Body));
                break;
            case BotAnswerKind.LoggedOutByPhone:
                await devices.LoggedOutAsync(identity.IdentityId, platform.Key, answer.DeviceId!, answer.Body, report, cancellationToken);
                break;
        }
    }

    /// <summary>The identity joined a portal room; requests resolving a group wait for this.</summary>
    public Task PortalJoinedAsync(MatrixSession identity, BridgePlatform platform, string roomId, string? remoteId) =>
        PublishAsync(RedisNames.BotChannel(identity.IdentityId), new BotNotice(platform.Key, BotNotice.PortalJoined, roomId, RemoteId: remoteId).ToJson());

    private async Task<string?> TakeAwaitedCommandAsync(MatrixSession identity, BridgePlatform platform, string eventId, IReadOnlyList<string> fits)
    {
        var taken = await redis.GetDatabase().ScriptEvaluateAsync(TakeAwaited, new
        {
            fits = $",{string.Join(',', fits)},",
            taken = (RedisKey)RedisNames.AnswerTaken(identity.IdentityId, eventId),
            awaited = (RedisKey)RedisNames.AwaitedAnswer(identity.IdentityId, platform.Key),
        });
        if (taken.IsNull)
        {
            logger.LogInformation("The {Platform} bot answered no awaited command in {EventId} (a replay, none of its kind awaited, or one given up on long ago)",
                platform.Key, eventId);
            return null;
        }
        return taken.ToString();
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
