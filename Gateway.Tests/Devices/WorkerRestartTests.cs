using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gateway.Shared.Redis;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Sandbox;
using StackExchange.Redis;

namespace Gateway.Tests.Devices;

[Collection(SandboxCollection.Name)]
public sealed class WorkerRestartTests(SandboxApp app)
{
    [Fact]
    public async Task A_link_completes_across_a_worker_restart_and_no_sync_event_is_handled_twice()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var identityId = await app.IdentityIdOfAsync(token);
        // Everything the worker makes of the bot's messages is relayed on the identity's bot channel: count it.
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await app.App.GetConnectionStringAsync("redis"))!);
        var relayed = new ConcurrentQueue<string>();
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisNames.BotChannel(identityId)),
            (_, message) => relayed.Enqueue(message.ToString()));

        await using var socket = await QrSocket.ConnectAsync(await app.StartLinkAsync(token));
        var qr = await socket.NextFrameAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await app.KillAsync("syncworker"); // kill -9: no chance to finish anything gracefully

        // The phone scans while the worker is down: the bridge's answer waits in the homeserver.
        var phone = SandboxApp.NewPhone();
        var userId = await app.MatrixUserIdOfAsync(token);
        var current = (await app.ControlAsync(HttpMethod.Get, "/sandbox/logins")).Body!["pending"]!.AsArray()
            .Single(p => p!["user_id"]!.GetValue<string>() == userId)!["current_code"]!.GetValue<string>();
        var scanned = await app.ScanAsync(current, phone);
        var started = await app.App.ResourceCommands.ExecuteCommandAsync("syncworker", KnownResourceCommands.StartCommand, timeout.Token);

        List<JsonNode> frames = [];
        for (var frame = await socket.NextFrameAsync(TimeSpan.FromSeconds(60)); frame is not null; frame = await socket.NextFrameAsync())
        {
            frames.Add(frame);
        }

        Assert.True(started.Success, started.Message);
        Assert.Equal(System.Net.HttpStatusCode.OK, scanned.Status);
        Assert.Equal("qr", qr!["type"]!.GetValue<string>());
        Assert.Equal("success", frames[^1]["type"]!.GetValue<string>());
        Assert.Equal(phone, frames[^1]["device_id"]!.GetValue<string>());
        // Redis hands messages to subscribers on its own schedule: the socket's copy may arrive before the test's.
        await Eventually.HoldsAsync(() => relayed.Any(notice => notice.Contains("Successfully logged in")), TimeSpan.FromSeconds(10));
        var answers = relayed.Where(notice => notice.Contains("Successfully logged in")).ToList();
        Assert.Single(answers);
        Assert.Equal(relayed.Count, relayed.Distinct().Count());
    }
}
