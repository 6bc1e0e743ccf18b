using System.Net;

namespace Gateway.Tests.Sandbox;

[Collection(SandboxCollection.Name)]
public sealed class LoginTests(SandboxApp app)
{
    [Fact]
    public async Task Login_shows_a_QR_image_refreshes_it_by_edit_and_a_scan_of_the_current_code_links_the_device()
    {
        var user = await app.NewUserAsync();
        var phone = SandboxApp.NewPhone();

        var command = await user.SayAsync("login qr");

        var instructions = await user.WaitForBotAsync(b => b == "Scan the QR code with the WhatsApp mobile app to log in", command);
        Assert.Equal("m.notice", instructions["content"]!["msgtype"]!.GetValue<string>());
        var qr = await user.Matrix.WaitForEventAsync(user.ManagementRoom, SandboxUser.IsQrImage, command);
        var qrId = qr["event_id"]!.GetValue<string>();
        var firstCode = qr["content"]!["body"]!.GetValue<string>();
        Assert.StartsWith("2@", firstCode);
        Assert.StartsWith("mxc://", qr["content"]!["url"]!.GetValue<string>());
        Assert.Equal("image/png", qr["content"]!["info"]!["mimetype"]!.GetValue<string>());

        var refresh = await user.Matrix.WaitForEventAsync(user.ManagementRoom, e => SandboxUser.ReplacedEventId(e) == qrId, qrId);
        var newCode = refresh["content"]!["m.new_content"]!["body"]!.GetValue<string>();
        Assert.NotEqual(firstCode, newCode);
        Assert.Equal("qr.png", refresh["content"]!["m.new_content"]!["filename"]!.GetValue<string>());
        // The refresh is announced again: a second instructions notice between the image and its edit.
        await user.WaitForBotAsync(b => b == "Scan the QR code with the WhatsApp mobile app to log in", qrId);

        var stale = await app.ControlAsync(HttpMethod.Post, "/sandbox/scan", new { code = firstCode, phone });
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        Assert.Equal("This QR code has expired: scan the code the bot shows now", stale.Error);

        var scan = await app.ControlAsync(HttpMethod.Post, "/sandbox/scan", new { code = newCode, phone = "+" + phone[..3] + " " + phone[3..] });
        Assert.Equal(HttpStatusCode.OK, scan.Status);
        Assert.Equal(phone, scan.Body!["device_id"]!.GetValue<string>());
        Assert.Equal(user.Matrix.UserId, scan.Body!["user_id"]!.GetValue<string>());

        await user.WaitForBotAsync(b => b == $"Successfully logged in as +{phone}", command);
        await user.Matrix.WaitForEventAsync(user.ManagementRoom,
            e => e["type"]?.GetValue<string>() == "m.room.redaction" && e["redacts"]?.GetValue<string>() == qrId, command);
    }

    [Fact]
    public async Task A_QR_nobody_scans_times_out_with_the_bridge_failure_text()
    {
        var user = await app.NewUserAsync();

        var command = await user.SayAsync("!wa login qr"); // the prefix is optional in a management room, and accepted

        var qr = await user.Matrix.WaitForEventAsync(user.ManagementRoom, SandboxUser.IsQrImage, command);
        var failure = await user.WaitForBotAsync(b => b.StartsWith("Login failed"), command, SandboxApp.QrWindow * 2);
        Assert.Equal("Login failed: Entering code or scanning QR timed out. Please try again.", failure["content"]!["body"]!.GetValue<string>());
        var qrId = qr["event_id"]!.GetValue<string>();
        Assert.Equal(3, user.Matrix.Timeline(user.ManagementRoom).Count(e => SandboxUser.ReplacedEventId(e) == qrId)); // its refreshes

        var late = await app.ControlAsync(HttpMethod.Post, "/sandbox/scan", new { code = qr["content"]!["body"]!.GetValue<string>(), phone = SandboxApp.NewPhone() });
        Assert.Equal(HttpStatusCode.NotFound, late.Status);
    }

    [Fact]
    public async Task Scan_refuses_unknown_codes_and_incomplete_requests()
    {
        var unknown = await app.ControlAsync(HttpMethod.Post, "/sandbox/scan", new { code = "2@not-a-code", phone = "237600000001" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("No pending login shows this QR code", unknown.Error);

        var noPhone = await app.ControlAsync(HttpMethod.Post, "/sandbox/scan", new { code = "2@x" });
        Assert.Equal(HttpStatusCode.BadRequest, noPhone.Status);
        Assert.Equal("Missing required field: phone", noPhone.Error);
    }

    [Fact]
    public async Task Logout_ends_a_login_once()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());

        var loggedOut = await user.AnswerToAsync($"logout {device}");
        Assert.Equal("Logged out", loggedOut["content"]!["body"]!.GetValue<string>());

        var again = await user.AnswerToAsync($"logout {device}");
        Assert.Equal($"Login `{device}` not found", again["content"]!["body"]!.GetValue<string>());

        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = SandboxApp.NewPhone(), text = "hi" });
        Assert.Equal(HttpStatusCode.NotFound, incoming.Status);
    }

    [Fact]
    public async Task Another_users_login_cannot_be_logged_out()
    {
        var owner = await app.NewUserAsync();
        var device = await owner.LinkDeviceAsync(SandboxApp.NewPhone());
        var stranger = await app.NewUserAsync();

        var answer = await stranger.AnswerToAsync($"logout {device}");

        Assert.Equal($"Login `{device}` not found", answer["content"]!["body"]!.GetValue<string>());
        var logins = await app.ControlAsync(HttpMethod.Get, "/sandbox/logins");
        Assert.Contains(logins.Body!["logins"]!.AsArray(), l => l!["device_id"]!.GetValue<string>() == device);
    }
}
