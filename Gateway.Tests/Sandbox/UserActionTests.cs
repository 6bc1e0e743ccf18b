using System.Net;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Sandbox;

/// <summary>Edits, reactions and deletions the user sends into a portal, taken or refused as bridgev2 and mautrix-whatsapp do.</summary>
[Collection(SandboxCollection.Name)]
public sealed class UserActionTests(SandboxApp app)
{
    [Fact]
    public async Task An_edit_goes_with_its_new_text_until_the_edit_window_closes()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var chat = await user.ChatWithContactAsync(device, SandboxApp.NewPhone());
        var draft = await user.Matrix.SendTextAsync(chat.RoomId, "See you at 5");
        await user.WaitForStatusAsync(chat.RoomId, draft);

        var edit = await user.Matrix.SendAsync(chat.RoomId, Edit(draft, "See you at 6"));

        Assert.Equal("SUCCESS", (await user.WaitForStatusAsync(chat.RoomId, edit))["status"]!.GetValue<string>());
        var sent = (await app.SentRecordAsync(device, edit))!;
        Assert.Equal(draft, sent["relates_to"]!.GetValue<string>());
        Assert.Equal("See you at 6", sent["new_body"]!.GetValue<string>());
        Assert.Equal("* See you at 6", sent["body"]!.GetValue<string>());
        Assert.Null(sent["ignored_by_network"]);

        // WhatsApp's 15 minutes, shortened by the switch: past them bridgev2 refuses, with no notice.
        var switches = await app.ControlAsync(HttpMethod.Post, "/sandbox/switches", new { edit_max_age_seconds = 1 });
        Assert.Equal(1, switches.Body!["edit_max_age_seconds"]!.GetValue<int>());
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            var late = await user.Matrix.SendAsync(chat.RoomId, Edit(draft, "See you at 7"));

            var refused = await user.WaitForStatusAsync(chat.RoomId, late);
            Assert.Equal("FAIL_RETRIABLE", refused["status"]!.GetValue<string>());
            Assert.Equal("com.beeper.unsupported_event", refused["reason"]!.GetValue<string>());
            Assert.Equal("the message is too old to be edited", refused["message"]!.GetValue<string>());
            Assert.Null(await app.SentRecordAsync(device, late));
            var after = await user.Matrix.SendTextAsync(chat.RoomId, "next");
            await user.WaitForStatusAsync(chat.RoomId, after);
            Assert.Empty(user.NoticesAbout(chat.RoomId, late));
        }
        finally
        {
            await app.ControlAsync(HttpMethod.Delete, "/sandbox/switches");
        }
    }

    [Fact]
    public async Task An_edit_of_the_contacts_message_goes_out_for_WhatsApp_to_drop_and_one_of_no_message_is_refused()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var chat = await user.ChatWithContactAsync(device, SandboxApp.NewPhone());

        // Neither bridgev2 nor mautrix-whatsapp checks whose message it is: the edit is sent, and WhatsApp ignores it.
        var notOwn = await user.Matrix.SendAsync(chat.RoomId, Edit(chat.ContactMessage, "Hello from me"));
        Assert.Equal("SUCCESS", (await user.WaitForStatusAsync(chat.RoomId, notOwn))["status"]!.GetValue<string>());
        var sent = (await app.SentRecordAsync(device, notOwn))!;
        Assert.StartsWith("WhatsApp applies an edit only from the message's sender", sent["ignored_by_network"]!.GetValue<string>());

        var unknown = await user.Matrix.SendAsync(chat.RoomId, Edit(notOwn, "an edit of an edit"));
        var refused = await user.WaitForStatusAsync(chat.RoomId, unknown);
        Assert.Equal("FAIL_RETRIABLE", refused["status"]!.GetValue<string>());
        Assert.Equal("m.event_not_handled", refused["reason"]!.GetValue<string>());
        Assert.Equal("edit target message not found", refused["message"]!.GetValue<string>());
        Assert.Null(await app.SentRecordAsync(device, unknown));
    }

    [Fact]
    public async Task Another_reaction_replaces_the_first_whose_event_the_bot_redacts()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var chat = await user.ChatWithContactAsync(device, SandboxApp.NewPhone());
        var thumbs = await React(user, chat, "👍");
        await user.WaitForStatusAsync(chat.RoomId, thumbs);

        var heart = await React(user, chat, "❤️");

        var redaction = await user.Matrix.WaitForEventAsync(chat.RoomId, e => e["type"]!.GetValue<string>() == "m.room.redaction"
            && e["sender"]!.GetValue<string>() == SandboxApp.Bot && (e["redacts"] ?? e["content"]!["redacts"])!.GetValue<string>() == thumbs, heart);
        Assert.Equal("SUCCESS", (await user.WaitForStatusAsync(chat.RoomId, heart))["status"]!.GetValue<string>());
        // The old reaction is gone before the new one's status says it went out (bridgev2's deferred removeOutdatedReaction).
        var timeline = user.Matrix.Timeline(chat.RoomId).ToList();
        Assert.True(timeline.IndexOf(redaction) < timeline.FindIndex(e => e["type"]!.GetValue<string>() == "com.beeper.message_send_status"
            && e["content"]!["m.relates_to"]!["event_id"]!.GetValue<string>() == heart));
        var sent = (await app.SentRecordAsync(device, heart))!;
        Assert.Equal("❤️", sent["key"]!.GetValue<string>());
        Assert.Equal(thumbs, sent["replaced_reaction"]!.GetValue<string>());

        // The same emoji again (WhatsApp compares it without its variation selector) goes nowhere, yet succeeds.
        var again = await React(user, chat, "❤");
        Assert.Equal("SUCCESS", (await user.WaitForStatusAsync(chat.RoomId, again))["status"]!.GetValue<string>());
        Assert.Null(await app.SentRecordAsync(device, again));

        // Taking it back is a redaction of the reaction; the replaced one the bridge no longer holds.
        var takeBack = await user.Matrix.RedactAsync(chat.RoomId, heart);
        Assert.Equal("SUCCESS", (await user.WaitForStatusAsync(chat.RoomId, takeBack))["status"]!.GetValue<string>());
        Assert.Equal(heart, (await app.SentRecordAsync(device, takeBack))!["relates_to"]!.GetValue<string>());
        var stale = await user.Matrix.RedactAsync(chat.RoomId, thumbs);
        var refused = await user.WaitForStatusAsync(chat.RoomId, stale);
        Assert.Equal("FAIL_RETRIABLE", refused["status"]!.GetValue<string>());
        Assert.Equal("redaction target message not found", refused["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_an_own_message_revokes_it_and_the_contacts_message_is_not_the_users_to_delete()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var chat = await user.ChatWithContactAsync(device, SandboxApp.NewPhone());
        var mine = await user.Matrix.SendTextAsync(chat.RoomId, "oops");
        await user.WaitForStatusAsync(chat.RoomId, mine);

        var revoke = await user.Matrix.RedactAsync(chat.RoomId, mine);

        Assert.Equal("SUCCESS", (await user.WaitForStatusAsync(chat.RoomId, revoke))["status"]!.GetValue<string>());
        Assert.Equal(mine, (await app.SentRecordAsync(device, revoke))!["relates_to"]!.GetValue<string>());
        // A deleted message is gone from the bridge: a reaction to it has no target.
        var late = await React(user, chat, "👍", mine);
        Assert.Equal("reaction target message not found", (await user.WaitForStatusAsync(chat.RoomId, late))["message"]!.GetValue<string>());
        // The portal gives the user no power to redact others' events: the homeserver refuses before any bridge sees it.
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => user.Matrix.RedactAsync(chat.RoomId, chat.ContactMessage));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private static Task<string> React(SandboxUser user, ContactChat chat, string key, string? target = null) =>
        user.Matrix.SendEventAsync(chat.RoomId, "m.reaction", new JsonObject
        {
            ["m.relates_to"] = new JsonObject { ["rel_type"] = "m.annotation", ["event_id"] = target ?? chat.ContactMessage, ["key"] = key },
        });

    private static JsonObject Edit(string target, string text) => new()
    {
        ["msgtype"] = "m.text",
        ["body"] = "* " + text,
        ["m.new_content"] = new JsonObject { ["msgtype"] = "m.text", ["body"] = text },
        ["m.relates_to"] = new JsonObject { ["rel_type"] = "m.replace", ["event_id"] = target },
    };
}
