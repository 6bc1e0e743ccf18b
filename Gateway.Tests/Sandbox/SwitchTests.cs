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
    public async Task A_late_answer_arrives_after_the_answers_to_the_commands_that_followed()
    {
        var user = await app.NewUserAsync();
        var set = await app.ControlAsync(HttpMethod.Post, "/sandbox/switches", new { late_next_answer_ms = 3000 });
        Assert.Equal(3000, set.Body!["late_next_answer_ms"]!.GetValue<int>());
        try
        {
            var late = await user.SayAsync("list-logins");
            var prompt = await user.SayAsync("help");

            var helpAnswer = await user.WaitForBotAsync(b => b.Contains("start-chat"), late);
            var lateAnswer = await user.WaitForBotAsync(b => b == "You're not logged in", late);

            // The help answer came first, and nothing ties the late answer to its command.
            var timeline = user.Matrix.Timeline(user.ManagementRoom).Select(e => e["event_id"]!.GetValue<string>()).ToList();
            Assert.True(timeline.IndexOf(helpAnswer["event_id"]!.GetValue<string>()) < timeline.IndexOf(lateAnswer["event_id"]!.GetValue<string>()));
            Assert.True(timeline.IndexOf(prompt) < timeline.IndexOf(helpAnswer["event_id"]!.GetValue<string>()));
            Assert.Null(lateAnswer["content"]!["m.relates_to"]);
            var sentAt = user.Matrix.Timeline(user.ManagementRoom).Single(e => e["event_id"]!.GetValue<string>() == late)["origin_server_ts"]!.GetValue<long>();
            Assert.True(lateAnswer["origin_server_ts"]!.GetValue<long>() - sentAt >= 3000);
            // The switch is used up by one command.
            Assert.Equal(0, (await app.ControlAsync(HttpMethod.Get, "/sandbox/switches")).Body!["late_next_answer_ms"]!.GetValue<int>());
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
