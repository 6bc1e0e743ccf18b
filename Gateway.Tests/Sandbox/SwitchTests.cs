namespace Gateway.Tests.Sandbox;

[Collection(SandboxCollection.Name)]
public sealed class SwitchTests(SandboxApp app)
{
    [Fact]
    public async Task A_slow_bot_answers_after_the_configured_delay()
    {
        var user = await app.NewUserAsync();
        await app.ControlAsync(HttpMethod.Post, "/sandbox/switches", new { bot_delay_ms = 1500 });
        try
        {
            var command = await user.SayAsync("help");
            var answer = await user.WaitForBotAsync(_ => true, command);

            var sentAt = user.Matrix.Timeline(user.ManagementRoom).Single(e => e["event_id"]!.GetValue<string>() == command)["origin_server_ts"]!.GetValue<long>();
            Assert.True(answer["origin_server_ts"]!.GetValue<long>() - sentAt >= 1500);
        }
        finally
        {
            await app.ControlAsync(HttpMethod.Delete, "/sandbox/switches");
        }
    }

    [Fact]
    public async Task Dropped_QR_refreshes_leave_the_first_code_on_screen_until_the_login_times_out()
    {
        var user = await app.NewUserAsync();
        var switches = await app.ControlAsync(HttpMethod.Post, "/sandbox/switches", new { drop_qr_refreshes = true });
        Assert.True(switches.Body!["drop_qr_refreshes"]!.GetValue<bool>());
        try
        {
            var command = await user.SayAsync("login qr");
            var qr = await user.Matrix.WaitForEventAsync(user.ManagementRoom, SandboxUser.IsQrImage, command);
            await user.WaitForBotAsync(b => b.StartsWith("Login failed"), command, SandboxApp.QrWindow * 2);

            var qrId = qr["event_id"]!.GetValue<string>();
            Assert.DoesNotContain(user.Matrix.Timeline(user.ManagementRoom), e => SandboxUser.ReplacedEventId(e) == qrId);
        }
        finally
        {
            await app.ControlAsync(HttpMethod.Delete, "/sandbox/switches");
        }
    }

    [Fact]
    public async Task A_failed_login_start_says_so()
    {
        var user = await app.NewUserAsync();
        await app.ControlAsync(HttpMethod.Post, "/sandbox/switches", new { fail_next_command = true });
        try
        {
            var answer = await user.AnswerToAsync("login qr");
            Assert.StartsWith("Failed to start login: ", answer["content"]!["body"]!.GetValue<string>());
        }
        finally
        {
            await app.ControlAsync(HttpMethod.Delete, "/sandbox/switches");
        }
    }
}
