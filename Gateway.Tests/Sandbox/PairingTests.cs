using System.Net;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Sandbox;

[Collection(SandboxCollection.Name)]
public sealed class PairingTests(SandboxApp app)
{
    [Fact]
    public async Task Login_without_a_flow_lists_the_QR_and_pairing_code_flows()
    {
        var user = await app.NewUserAsync();

        var choose = await user.AnswerToAsync("login");
        var invalid = await user.AnswerToAsync("login sms");

        const string flows = "* `qr` - Scan a QR code to pair the bridge to your WhatsApp account\n"
            + "* `phone` - Input your phone number to get a pairing code, to pair the bridge to your WhatsApp account";
        Assert.Equal("Please specify a login flow, e.g. `login qr`.\n\n" + flows, Body(choose));
        Assert.Equal("Invalid login flow `sms`. Available options:\n\n" + flows, Body(invalid));
    }

    [Fact]
    public async Task Login_phone_shows_a_pairing_code_and_the_phone_entering_it_links_the_device()
    {
        var user = await app.NewUserAsync();
        var phone = SandboxApp.NewPhone();

        var command = await user.SayAsync($"login phone +{phone[..3]} {phone[3..6]}-{phone[6..]}");

        var instructions = await user.WaitForBotAsync(_ => true, command);
        Assert.Equal("Input the pairing code in the WhatsApp mobile app to log in", Body(instructions));
        Assert.Equal("m.notice", instructions["content"]!["msgtype"]!.GetValue<string>());
        var notice = await user.WaitForBotAsync(_ => true, instructions["event_id"]!.GetValue<string>());
        Assert.True(SandboxUser.IsPairingCode(Body(notice)), Body(notice));
        var code = SandboxUser.PairingCodeOf(notice);
        Assert.Equal("m.notice", notice["content"]!["msgtype"]!.GetValue<string>());
        Assert.Equal("org.matrix.custom.html", notice["content"]!["format"]!.GetValue<string>());
        Assert.Equal($"<code>{code}</code>", notice["content"]!["formatted_body"]!.GetValue<string>());
        var pending = (await app.ControlAsync(HttpMethod.Get, "/sandbox/logins")).Body!["pending"]!.AsArray()
            .Single(p => p!["user_id"]!.GetValue<string>() == user.Matrix.UserId)!;
        Assert.Equal("phone", pending["flow"]!.GetValue<string>());
        Assert.Equal(code, pending["current_code"]!.GetValue<string>());

        // The phone's owner types it as they like: any case, without the dash.
        var pair = await app.ControlAsync(HttpMethod.Post, "/sandbox/pair", new { code = code.Replace("-", "").ToLowerInvariant() });

        Assert.Equal(HttpStatusCode.OK, pair.Status);
        Assert.Equal(phone, pair.Body!["device_id"]!.GetValue<string>());
        Assert.Equal(user.Matrix.UserId, pair.Body!["user_id"]!.GetValue<string>());
        await user.WaitForBotAsync(b => b == $"Successfully logged in as +{phone}", command);
        Assert.Equal($"* `{phone}` (+{phone}) - `CONNECTED`", Body(await user.AnswerToAsync("list-logins")));
        var again = await app.ControlAsync(HttpMethod.Post, "/sandbox/pair", new { code });
        Assert.Equal(HttpStatusCode.NotFound, again.Status);
    }

    [Fact]
    public async Task A_pairing_code_nobody_enters_is_never_refreshed_and_times_out_like_a_QR()
    {
        var user = await app.NewUserAsync();

        var command = await user.SayAsync($"login phone +{SandboxApp.NewPhone()}");

        var code = SandboxUser.PairingCodeOf(await user.WaitForBotAsync(SandboxUser.IsPairingCode, command));
        var failure = await user.WaitForBotAsync(b => b.StartsWith("Login failed"), command, SandboxApp.QrWindow * 2);
        Assert.Equal("Login failed: Entering code or scanning QR timed out. Please try again.", Body(failure));
        var after = user.Matrix.Timeline(user.ManagementRoom).SkipWhile(e => e["event_id"]!.GetValue<string>() != command).ToList();
        Assert.Single(after, e => e["sender"]?.GetValue<string>() == SandboxApp.Bot && SandboxUser.IsPairingCode(Body(e)));
        Assert.DoesNotContain(after, e => e["type"]?.GetValue<string>() == "m.room.redaction");

        var late = await app.ControlAsync(HttpMethod.Post, "/sandbox/pair", new { code });
        Assert.Equal(HttpStatusCode.Conflict, late.Status);
        Assert.Equal("This pairing code has expired: the login timed out", late.Error);
    }

    [Fact]
    public async Task Numbers_the_bridge_refuses_get_its_texts()
    {
        var user = await app.NewUserAsync();

        Assert.Equal("Invalid value for Phone number: phone number must start with +", Body(await user.AnswerToAsync("login phone 237612345678")));
        Assert.Equal("Invalid value for Phone number: phone number must only contain numbers", Body(await user.AnswerToAsync("login phone +2376x2345678")));
        Assert.Equal("Failed to submit input: phone number too short", Body(await user.AnswerToAsync("login phone +123456")));
        Assert.Equal("Failed to submit input: international phone number required (must not start with 0)",
            Body(await user.AnswerToAsync("login phone +0612345678")));

        var unknown = await app.ControlAsync(HttpMethod.Post, "/sandbox/pair", new { code = "ABCD-EFGH" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("No pending login shows this pairing code", unknown.Error);
    }

    [Fact]
    public async Task Login_phone_alone_asks_for_the_number_and_takes_the_next_message_as_it()
    {
        var user = await app.NewUserAsync();
        var phone = SandboxApp.NewPhone();

        var prompt = await user.AnswerToAsync("login phone");
        Assert.Equal("Please enter your Phone number\nYour WhatsApp phone number in international format", Body(prompt));
        Assert.Equal("Invalid value: phone number must start with +", Body(await user.AnswerToAsync(phone)));

        var number = await user.SayAsync($"+{phone}");
        var code = SandboxUser.PairingCodeOf(await user.WaitForBotAsync(SandboxUser.IsPairingCode, number));
        Assert.Equal(HttpStatusCode.OK, (await app.ControlAsync(HttpMethod.Post, "/sandbox/pair", new { code })).Status);
        await user.WaitForBotAsync(b => b == $"Successfully logged in as +{phone}", number);

        Assert.Equal("No ongoing command.", Body(await user.AnswerToAsync("cancel")));
    }

    private static string Body(JsonObject message) => message["content"]!["body"]!.GetValue<string>();
}
