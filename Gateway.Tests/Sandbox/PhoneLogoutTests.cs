using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Sandbox;

[Collection(SandboxCollection.Name)]
public sealed class PhoneLogoutTests(SandboxApp app)
{
    private const string LoggedOutText = "You were logged out from another device. Relogin to continue using the bridge.";

    [Fact]
    public async Task When_the_phone_unlinks_the_device_the_login_turns_bad_and_messages_are_refused_until_it_links_again()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var contact = SandboxApp.NewPhone();
        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "hello" });
        var roomId = incoming.Body!["room_id"]!.GetValue<string>();
        await user.WaitForInviteFromAsync(incoming.Body!["sender"]!.GetValue<string>());
        await user.Matrix.JoinAsync(roomId);
        var lastCommand = await user.SayAsync("help");
        await user.WaitForBotAsync(_ => true, lastCommand);

        var logout = await app.ControlAsync(HttpMethod.Post, "/sandbox/logout", new { device_id = device });

        Assert.Equal(HttpStatusCode.OK, logout.Status);
        Assert.Equal("BAD_CREDENTIALS", logout.Body!["state"]!.GetValue<string>());
        Assert.Equal("wa-logged-out", logout.Body!["reason"]!.GetValue<string>());
        Assert.Equal(user.Matrix.UserId, logout.Body!["user_id"]!.GetValue<string>());
        // An error state is an m.text, not a notice.
        var alert = await user.WaitForBotAsync(b => b.StartsWith("State update"), lastCommand);
        Assert.Equal("m.text", alert["content"]!["msgtype"]!.GetValue<string>());
        Assert.Equal($"State update for +{device}: `BAD_CREDENTIALS` (`wa-logged-out`): {LoggedOutText}", Body(alert));
        Assert.Equal($"* `{device}` (+{device}) - `BAD_CREDENTIALS`", Body(await user.AnswerToAsync("list-logins")));

        var refused = await user.Matrix.SendTextAsync(roomId, "are you there?");
        var notice = await user.Matrix.WaitForMessageAsync(roomId, SandboxApp.Bot, b => b.StartsWith("⚠️"), refused);
        Assert.Equal("m.notice", notice["content"]!["msgtype"]!.GetValue<string>());
        Assert.Equal($"⚠️ Your message was not bridged: {LoggedOutText}", Body(notice));
        Assert.Equal(refused, notice["content"]!["m.relates_to"]!["m.in_reply_to"]!["event_id"]!.GetValue<string>());
        Assert.Empty(await SentAsync(device));
        var fromContact = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "x" });
        Assert.Equal(HttpStatusCode.Conflict, fromContact.Status);
        Assert.Contains("BAD_CREDENTIALS", fromContact.Error);
        Assert.Equal("Failed to resolve identifier: not logged in", Body(await user.AnswerToAsync($"start-chat {SandboxApp.NewPhone()}")));

        // The same phone links again: connected, and the same portal bridges again.
        Assert.Equal(device, await user.LinkDeviceAsync(device));
        Assert.Equal($"* `{device}` (+{device}) - `CONNECTED`", Body(await user.AnswerToAsync("list-logins")));
        var bridged = await user.Matrix.SendTextAsync(roomId, "back again");
        await Eventually.HoldsAsync(async () => (await SentAsync(device)).Any(m => m["event_id"]!.GetValue<string>() == bridged), TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, (await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "y" })).Status);
    }

    [Fact]
    public async Task A_phone_that_was_itself_logged_out_says_so_and_other_reasons_are_refused()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceByCodeAsync(SandboxApp.NewPhone());
        var before = await user.SayAsync("help");
        await user.WaitForBotAsync(_ => true, before);

        var badReason = await app.ControlAsync(HttpMethod.Post, "/sandbox/logout", new { device_id = device, reason = "banned" });
        var unknown = await app.ControlAsync(HttpMethod.Post, "/sandbox/logout", new { device_id = "237600000008" });
        var logout = await app.ControlAsync(HttpMethod.Post, "/sandbox/logout", new { device_id = "+" + device, reason = "wa-main-device-gone" });

        Assert.Equal(HttpStatusCode.BadRequest, badReason.Status);
        Assert.Equal("reason must be wa-logged-out or wa-main-device-gone, not banned", badReason.Error);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(HttpStatusCode.OK, logout.Status);
        var alert = await user.WaitForBotAsync(b => b.StartsWith("State update"), before);
        Assert.Equal(
            $"State update for +{device}: `BAD_CREDENTIALS` (`wa-main-device-gone`): Your phone was logged out from WhatsApp. Relogin to continue using the bridge.",
            Body(alert));
        var login = (await app.ControlAsync(HttpMethod.Get, "/sandbox/logins")).Body!["logins"]!.AsArray()
            .Single(l => l!["device_id"]!.GetValue<string>() == device)!;
        Assert.Equal("wa-main-device-gone", login["reason"]!.GetValue<string>());

        // Linking again by pairing code restores it too.
        await user.LinkDeviceByCodeAsync(device);
        Assert.Equal($"* `{device}` (+{device}) - `CONNECTED`", Body(await user.AnswerToAsync("list-logins")));
    }

    private async Task<List<JsonNode>> SentAsync(string device) =>
        [.. (await app.ControlAsync(HttpMethod.Get, $"/sandbox/sent?device_id={device}")).Body!.AsArray().Select(m => m!)];

    private static string Body(JsonObject message) => message["content"]!["body"]!.GetValue<string>();
}
