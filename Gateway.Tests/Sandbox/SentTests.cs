using System.Text.Json.Nodes;

namespace Gateway.Tests.Sandbox;

[Collection(SandboxCollection.Name)]
public sealed class SentTests(SandboxApp app)
{
    [Fact]
    public async Task What_the_user_sends_into_a_portal_is_reported_with_replies_and_files()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var contact = SandboxApp.NewPhone();
        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "Are you there?" });
        var roomId = incoming.Body!["room_id"]!.GetValue<string>();
        var question = incoming.Body!["event_id"]!.GetValue<string>();
        await user.WaitForInviteFromAsync(incoming.Body!["sender"]!.GetValue<string>());
        await user.Matrix.JoinAsync(roomId);

        var text = await user.Matrix.SendTextAsync(roomId, "Yes, here");
        var reply = await user.Matrix.SendAsync(roomId, new JsonObject
        {
            ["msgtype"] = "m.text",
            ["body"] = "Answering you",
            ["m.relates_to"] = new JsonObject { ["m.in_reply_to"] = new JsonObject { ["event_id"] = question } },
        });
        var pdf = TestFiles.Pdf();
        var url = await user.Matrix.UploadAsync(pdf, "application/pdf", "offer.pdf");
        var file = await user.Matrix.SendAsync(roomId, new JsonObject
        {
            ["msgtype"] = "m.file",
            ["body"] = "the offer",
            ["filename"] = "offer.pdf",
            ["url"] = url,
            ["info"] = new JsonObject { ["mimetype"] = "application/pdf", ["size"] = pdf.Length },
        });

        var sent = await WaitForSentAsync(device, 3);
        Assert.Equal([text, reply, file], sent.Select(m => m["event_id"]!.GetValue<string>()));
        Assert.All(sent, m =>
        {
            Assert.Equal(contact, m["recipient"]!.GetValue<string>());
            Assert.Equal("contact", m["chat_type"]!.GetValue<string>());
            Assert.Equal(user.Matrix.UserId, m["sender"]!.GetValue<string>());
        });
        Assert.Equal("Yes, here", sent[0]["body"]!.GetValue<string>());
        Assert.Equal("m.text", sent[0]["msgtype"]!.GetValue<string>());
        Assert.Null(sent[0]["reply_to"]);
        Assert.Equal(question, sent[1]["reply_to"]!.GetValue<string>());
        Assert.Equal("m.file", sent[2]["msgtype"]!.GetValue<string>());
        Assert.Equal("the offer", sent[2]["body"]!.GetValue<string>());
        Assert.Equal("offer.pdf", sent[2]["file_name"]!.GetValue<string>());
        Assert.Equal("application/pdf", sent[2]["mime_type"]!.GetValue<string>());
        Assert.Equal(pdf.Length, sent[2]["size"]!.GetValue<int>());
        Assert.Equal(url, sent[2]["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task Prefixed_commands_in_a_portal_are_commands_not_messages()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var contact = SandboxApp.NewPhone();
        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "hi" });
        var roomId = incoming.Body!["room_id"]!.GetValue<string>();
        await user.WaitForInviteFromAsync(incoming.Body!["sender"]!.GetValue<string>());
        await user.Matrix.JoinAsync(roomId);

        var command = await user.Matrix.SendTextAsync(roomId, "!wa help");
        await user.Matrix.WaitForMessageAsync(roomId, SandboxApp.Bot, b => b.Contains("start-chat"), command);
        var message = await user.Matrix.SendTextAsync(roomId, "help");

        var sent = await WaitForSentAsync(device, 1);
        Assert.Equal(message, Assert.Single(sent)["event_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_notice_from_the_user_is_not_bridged_and_says_so_only_in_its_status()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var chat = await user.ChatWithContactAsync(device, SandboxApp.NewPhone());

        var notice = await user.Matrix.SendAsync(chat.RoomId, new JsonObject { ["msgtype"] = "m.notice", ["body"] = "automated" });

        // bridgev2's bridge_notices is false in its example config: notices are for bots, not for the remote chat.
        var status = await user.WaitForStatusAsync(chat.RoomId, notice);
        Assert.Equal("FAIL_RETRIABLE", status["status"]!.GetValue<string>());
        Assert.Equal("m.event_not_handled", status["reason"]!.GetValue<string>());
        Assert.Equal("ignoring m.notice message", status["message"]!.GetValue<string>());
        Assert.Null(await app.SentRecordAsync(device, notice));
        Assert.Empty(user.NoticesAbout(chat.RoomId, notice));
    }

    /// <summary>The sandbox records asynchronously (the homeserver pushes events to it): poll until the count is reached.</summary>
    private async Task<List<JsonNode>> WaitForSentAsync(string device, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var sent = await app.ControlAsync(HttpMethod.Get, $"/sandbox/sent?device_id={device}");
            var messages = sent.Body!.AsArray().Select(m => m!).ToList();
            if (messages.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.Equal(count, messages.Count);
                return messages;
            }
            await Task.Delay(100);
        }
    }
}
