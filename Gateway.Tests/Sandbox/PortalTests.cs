using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Sandbox;

[Collection(SandboxCollection.Name)]
public sealed class PortalTests(SandboxApp app)
{
    [Fact]
    public async Task Start_chat_names_the_contact_by_its_LID_and_creates_one_direct_portal_owned_by_its_ghost()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var contact = SandboxApp.NewPhone();

        var created = await user.AnswerToAsync($"start-chat {device} +{contact[..3]} {contact[3..6]}-{contact[6..]}");

        // bridgev2's answer, with the LID mautrix-whatsapp resolved the number to: neither the id nor the ghost is the number.
        var body = Body(created);
        var match = Regex.Match(body, @"^Created chat with `lid-([0-9]{15})` / \[\+" + contact + @"\]\(https://matrix\.to/#/@whatsapp_lid-\1:localhost\): ");
        Assert.True(match.Success, body);
        var lid = match.Groups[1].Value;
        Assert.NotEqual(contact, lid);
        var ghost = $"@whatsapp_lid-{lid}:localhost";
        var (roomId, invite) = await user.WaitForInviteFromAsync(ghost);
        Assert.True(invite["content"]!["is_direct"]!.GetValue<bool>());
        Assert.Equal("m.notice", created["content"]!["msgtype"]!.GetValue<string>());
        Assert.Equal(
            $"Created chat with `lid-{lid}` / [+{contact}](https://matrix.to/#/{ghost}): [+{contact}](https://matrix.to/#/{Uri.EscapeDataString(roomId)})",
            body);
        Assert.Contains($"<a href=\"https://matrix.to/#/{Uri.EscapeDataString(roomId)}\">", created["content"]!["formatted_body"]!.GetValue<string>());

        var bridge = await user.JoinPortalAsync(roomId);
        Assert.Equal(SandboxApp.Bot, bridge["bridgebot"]!.GetValue<string>());
        Assert.Equal("whatsapp", bridge["protocol"]!["id"]!.GetValue<string>());
        Assert.Equal($"{lid}@lid", bridge["channel"]!["id"]!.GetValue<string>());
        Assert.Equal(device, bridge["channel"]!["fi.mau.receiver"]!.GetValue<string>());

        var again = await user.AnswerToAsync($"pm {contact}");
        Assert.Equal(
            $"You already have a direct chat with `lid-{lid}` / [+{contact}](https://matrix.to/#/{ghost}) at [+{contact}](https://matrix.to/#/{Uri.EscapeDataString(roomId)})",
            Body(again));
        var portals = await app.ControlAsync(HttpMethod.Get, $"/sandbox/portals?device_id={device}");
        Assert.Equal($"{lid}@lid", Assert.Single(portals.Body!.AsArray())!["chat_id"]!.GetValue<string>());

        // The contact writes back from the same ghost, into the same room.
        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "hi back" });
        Assert.Equal(roomId, incoming.Body!["room_id"]!.GetValue<string>());
        await user.Matrix.WaitForMessageAsync(roomId, ghost, b => b == "hi back");
    }

    [Fact]
    public async Task Start_chat_answers_with_the_bridge_failure_texts()
    {
        var user = await app.NewUserAsync();

        var notLoggedIn = await user.AnswerToAsync("start-chat 237699000000");
        Assert.Equal("That command requires you to be logged in.", Body(notLoggedIn));

        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        // mautrix-whatsapp checks for letters itself, and asks WhatsApp's server about any other malformed number.
        var invalid = await user.AnswerToAsync($"start-chat {device} not-a-number");
        Assert.Equal("Failed to resolve identifier: WhatsApp only supports phone numbers as user identifiers. Number looks like email", Body(invalid));
        var tooShort = await user.AnswerToAsync($"start-chat {device} +12");
        Assert.Equal("Failed to resolve identifier: the server said +12 is not on WhatsApp", Body(tooShort));

        var nobody = SandboxApp.NewPhone();
        await app.ControlAsync(HttpMethod.Post, "/sandbox/switches", new { not_on_network = new[] { nobody } });
        try
        {
            var notFound = await user.AnswerToAsync($"start-chat {device} +{nobody}");
            Assert.Equal($"Failed to resolve identifier: the server said +{nobody} is not on WhatsApp", Body(notFound));

            await app.ControlAsync(HttpMethod.Post, "/sandbox/switches", new { fail_next_command = true });
            var failed = await user.AnswerToAsync($"start-chat {device} {SandboxApp.NewPhone()}");
            Assert.StartsWith("Failed to resolve identifier: ", Body(failed));
            var next = await user.AnswerToAsync($"start-chat {device} {SandboxApp.NewPhone()}");
            Assert.StartsWith("Created chat with", Body(next)); // the switch fails one command only
        }
        finally
        {
            await app.ControlAsync(HttpMethod.Delete, "/sandbox/switches");
        }
    }

    [Fact]
    public async Task Join_by_invite_link_creates_one_group_portal_with_ghost_members()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var link = "https://chat.whatsapp.com/" + Guid.NewGuid().ToString("N")[..22];

        var joined = await user.AnswerToAsync($"join {link}");

        var body = Body(joined);
        Assert.Matches("^Successfully joined group `120363[0-9]{12}@g.us`, the portal should be created momentarily$", body);
        var jid = body.Split('`')[1];
        var (roomId, _) = await user.WaitForInviteFromAsync(SandboxApp.Bot);
        var bridge = await user.JoinPortalAsync(roomId);
        Assert.Equal(jid, bridge["channel"]!["id"]!.GetValue<string>());
        Assert.Equal(device, bridge["channel"]!["fi.mau.receiver"]!.GetValue<string>());
        var members = (await user.Matrix.RoomStateAsync(roomId))
            .Where(e => e!["type"]!.GetValue<string>() == "m.room.member" && e["content"]!["membership"]!.GetValue<string>() == "join")
            .Select(e => e!["state_key"]!.GetValue<string>()).ToList();
        Assert.True(members.Count(m => m.StartsWith("@whatsapp_")) >= 2, string.Join(", ", members));

        var again = await user.AnswerToAsync($"join {device} {link}");
        Assert.Equal(body, Body(again));
        var portals = await app.ControlAsync(HttpMethod.Get, $"/sandbox/portals?device_id={device}");
        Assert.Single(portals.Body!.AsArray());
    }

    [Fact]
    public async Task Join_with_a_bad_link_fails()
    {
        var user = await app.NewUserAsync();
        await user.LinkDeviceAsync(SandboxApp.NewPhone());

        var answer = await user.AnswerToAsync("join https://example.com/not-whatsapp");

        Assert.Equal("Failed to join group: that group invite link is not valid", Body(answer));
    }

    private static string Body(JsonObject message) => message["content"]!["body"]!.GetValue<string>();
}
