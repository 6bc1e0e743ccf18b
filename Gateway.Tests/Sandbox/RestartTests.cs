using System.Net;

namespace Gateway.Tests.Sandbox;

[Collection(SandboxCollection.Name)]
public sealed class RestartTests(SandboxApp app)
{
    [Fact]
    public async Task After_a_restart_the_bridge_keeps_its_logins_and_portals_and_answers_what_was_said_while_it_was_down()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var contact = SandboxApp.NewPhone();
        var before = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "before" });
        var roomId = before.Body!["room_id"]!.GetValue<string>();

        string whileDown;
        // DCP stops `dotnet run` slowly (≈ 13 s) and may report a stop that outlives its timeout as failed although the
        // process ends: what counts is that the bridge stops answering.
        await app.App.ResourceCommands.ExecuteCommandAsync("sandbox", KnownResourceCommands.StopCommand);
        try
        {
            Assert.True(await WithinAsync(TimeSpan.FromMinutes(1), async () => !await app.SandboxAnswersAsync()), "The sandbox did not stop.");
            whileDown = await user.SayAsync("list-logins");
        }
        finally
        {
            await StartAgainAsync();
        }

        // The homeserver queued the command while the bridge was away and delivers it once the bridge pings it.
        await user.WaitForBotAsync(b => b == $"* `{device}` (+{device}) - `CONNECTED`", whileDown, TimeSpan.FromSeconds(60));
        var after = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "after" });
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal(roomId, after.Body!["room_id"]!.GetValue<string>());
        Assert.False(after.Body!["portal_created"]!.GetValue<bool>());
    }

    /// <summary>Starts the sandbox, retrying while DCP still reports it as stopping; later tests need it back.</summary>
    private async Task StartAgainAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            await app.App.ResourceCommands.ExecuteCommandAsync("sandbox", KnownResourceCommands.StartCommand);
            if (await WithinAsync(TimeSpan.FromSeconds(30), app.SandboxAnswersAsync) || attempt == 4)
            {
                Assert.True(await app.SandboxAnswersAsync(), "The sandbox did not start again.");
                return;
            }
        }
    }

    private static async Task<bool> WithinAsync(TimeSpan limit, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(200);
        }
        return true;
    }
}
