using System.Net;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Sandbox;

[Collection(SandboxCollection.Name)]
public sealed class IncomingTests(SandboxApp app)
{
    [Fact]
    public async Task An_incoming_text_opens_a_portal_and_arrives_from_the_contacts_ghost()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var contact = SandboxApp.NewPhone();

        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = "+" + contact, text = "Hello from the phone" });

        Assert.Equal(HttpStatusCode.OK, incoming.Status);
        // The contact is known by its LID, as on WhatsApp: a ghost and a chat id that are not the phone number.
        var lid = SandboxApp.LidOf(incoming.Body!["chat_id"]!.GetValue<string>());
        Assert.NotEqual(contact, lid);
        var ghost = $"@whatsapp_lid-{lid}:localhost";
        Assert.Equal(ghost, incoming.Body!["sender"]!.GetValue<string>());
        var (roomId, invite) = await user.WaitForInviteFromAsync(ghost);
        Assert.Equal(incoming.Body!["room_id"]!.GetValue<string>(), roomId);
        Assert.True(invite["content"]!["is_direct"]!.GetValue<bool>());
        var bridge = await user.JoinPortalAsync(roomId);
        Assert.Equal($"{lid}@lid", bridge["channel"]!["id"]!.GetValue<string>());
        var message = await user.Matrix.WaitForMessageAsync(roomId, ghost, b => b == "Hello from the phone");
        Assert.Equal("m.text", message["content"]!["msgtype"]!.GetValue<string>());
        Assert.Equal(incoming.Body!["event_id"]!.GetValue<string>(), message["event_id"]!.GetValue<string>());

        var second = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "Again" });
        Assert.Equal(roomId, second.Body!["room_id"]!.GetValue<string>());
        Assert.False(second.Body!["portal_created"]!.GetValue<bool>());
        Assert.Equal(ghost, second.Body!["sender"]!.GetValue<string>()); // the same LID every time

        // What the owner types on the phone shows up as the ghost of the device's own number, in the same chat.
        var fromPhone = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "typed on the phone", from_me = true });
        Assert.Equal(roomId, fromPhone.Body!["room_id"]!.GetValue<string>());
        await user.Matrix.WaitForMessageAsync(roomId, $"@whatsapp_{device}:localhost", b => b == "typed on the phone");
    }

    [Fact]
    public async Task An_uncaptioned_jpeg_has_an_empty_body_its_name_in_filename_and_its_size_from_its_header()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var jpeg = TestFiles.JpegHeader(640, 480);

        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new
        {
            device_id = device,
            from = SandboxApp.NewPhone(),
            media = new { mime_type = "image/jpeg", base64 = Convert.ToBase64String(jpeg), filename = "camera.jpg" },
        });

        var roomId = incoming.Body!["room_id"]!.GetValue<string>();
        await user.Matrix.JoinAsync(roomId);
        var image = await user.Matrix.WaitForEventAsync(roomId, e => e["content"]?["msgtype"]?.GetValue<string>() == "m.image");
        Assert.Equal("", image["content"]!["body"]!.GetValue<string>());
        Assert.Equal("camera.jpg", image["content"]!["filename"]!.GetValue<string>());
        Assert.Equal(640, image["content"]!["info"]!["w"]!.GetValue<int>());
        Assert.Equal(480, image["content"]!["info"]!["h"]!.GetValue<int>());
        Assert.Null(image["content"]!["info"]!["xyz.amorgan.blurhash"]);
    }

    [Fact]
    public async Task An_incoming_image_is_uploaded_and_sent_as_m_image_with_its_size()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var contact = SandboxApp.NewPhone();
        var png = TestFiles.Png(7, 5);

        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new
        {
            device_id = device,
            from = contact,
            text = "a caption",
            media = new { mime_type = "image/png", base64 = Convert.ToBase64String(png), filename = "photo.png" },
        });

        Assert.Equal(HttpStatusCode.OK, incoming.Status);
        var roomId = incoming.Body!["room_id"]!.GetValue<string>();
        var ghost = incoming.Body!["sender"]!.GetValue<string>();
        await user.WaitForInviteFromAsync(ghost);
        await user.Matrix.JoinAsync(roomId);
        var image = await user.Matrix.WaitForEventAsync(roomId, e => e["content"]?["msgtype"]?.GetValue<string>() == "m.image");
        var content = image["content"]!;
        Assert.Equal(ghost, image["sender"]!.GetValue<string>());
        Assert.Equal("a caption", content["body"]!.GetValue<string>());
        Assert.Equal("photo.png", content["filename"]!.GetValue<string>());
        Assert.Equal("image/png", content["info"]!["mimetype"]!.GetValue<string>());
        Assert.Equal(png.Length, content["info"]!["size"]!.GetValue<int>());
        Assert.Equal(7, content["info"]!["w"]!.GetValue<int>());
        Assert.Equal(5, content["info"]!["h"]!.GetValue<int>());
        Assert.Equal(png, await user.Matrix.DownloadAsync(content["url"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_group_message_comes_from_the_members_ghost_in_the_group_portal()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var link = "https://chat.whatsapp.com/" + Guid.NewGuid().ToString("N")[..22];
        var member = SandboxApp.NewPhone();

        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new
        {
            device_id = device,
            from = member,
            group = link,
            media = new { mime_type = "application/pdf", base64 = Convert.ToBase64String(TestFiles.Pdf()), filename = "minutes.pdf" },
        });

        Assert.Equal(HttpStatusCode.OK, incoming.Status);
        Assert.Equal("group", incoming.Body!["chat_type"]!.GetValue<string>());
        var (roomId, _) = await user.WaitForInviteFromAsync(SandboxApp.Bot);
        var bridge = await user.JoinPortalAsync(roomId);
        Assert.Equal(incoming.Body!["chat_id"]!.GetValue<string>(), bridge["channel"]!["id"]!.GetValue<string>());
        Assert.EndsWith("@g.us", bridge["channel"]!["id"]!.GetValue<string>());
        var file = await user.Matrix.WaitForEventAsync(roomId, e => e["content"]?["msgtype"]?.GetValue<string>() == "m.file");
        Assert.Equal(incoming.Body!["sender"]!.GetValue<string>(), file["sender"]!.GetValue<string>());
        Assert.StartsWith("@whatsapp_lid-", file["sender"]!.GetValue<string>()); // members are LIDs too
        Assert.Equal("", file["content"]!["body"]!.GetValue<string>());
        Assert.Equal("minutes.pdf", file["content"]!["filename"]!.GetValue<string>());
        Assert.Equal("application/pdf", file["content"]!["info"]!["mimetype"]!.GetValue<string>());

        // Joining the same link afterwards finds the portal the message created.
        var joined = await user.AnswerToAsync($"join {link}");
        Assert.StartsWith("Successfully joined group", joined["content"]!["body"]!.GetValue<string>());
        var portals = await app.ControlAsync(HttpMethod.Get, $"/sandbox/portals?device_id={device}");
        Assert.Equal(roomId, Assert.Single(portals.Body!.AsArray())!["room_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Raw_content_is_posted_as_is_by_the_contacts_ghost()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var contact = SandboxApp.NewPhone();
        var brokenImage = new JsonObject { ["msgtype"] = "m.image", ["body"] = "", ["url"] = 5, ["info"] = "not an object" };
        var unknownType = new JsonObject { ["msgtype"] = "org.example.poll", ["body"] = "", ["m.relates_to"] = 7 };

        var first = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, content = brokenImage });
        var second = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, content = unknownType });

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        var roomId = first.Body!["room_id"]!.GetValue<string>();
        var ghost = first.Body!["sender"]!.GetValue<string>();
        await user.WaitForInviteFromAsync(ghost);
        await user.Matrix.JoinAsync(roomId);
        foreach (var (posted, content) in new[] { (first, brokenImage), (second, unknownType) })
        {
            var eventId = posted.Body!["event_id"]!.GetValue<string>();
            var message = await user.Matrix.WaitForEventAsync(roomId, e => e["event_id"]!.GetValue<string>() == eventId);
            Assert.Equal(ghost, message["sender"]!.GetValue<string>());
            Assert.Equal("m.room.message", message["type"]!.GetValue<string>());
            Assert.True(JsonNode.DeepEquals(content, message["content"]), message["content"]!.ToJsonString()); // keys come back sorted
        }
    }

    [Fact]
    public async Task Raw_content_the_homeserver_refuses_and_mixed_requests_are_refused_with_the_reason()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var contact = SandboxApp.NewPhone();

        // Synapse requires string body and msgtype in every m.room.message a client sends.
        var numeric = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, content = new { msgtype = 5, body = "" } });
        var bodiless = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, content = new { msgtype = "m.text" } });
        var both = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "x", content = new { msgtype = "m.text" } });
        var notAnObject = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, content = "m.text" });

        Assert.Equal(HttpStatusCode.BadRequest, numeric.Status);
        Assert.Equal("The homeserver refuses this content: 'msgtype' not a string type", numeric.Error);
        Assert.Equal(HttpStatusCode.BadRequest, bodiless.Status);
        Assert.Equal("The homeserver refuses this content: 'body' not in content", bodiless.Error);
        Assert.Equal(HttpStatusCode.BadRequest, both.Status);
        Assert.Equal("Give either content or text/media, not both", both.Error);
        Assert.Equal(HttpStatusCode.BadRequest, notAnObject.Status);
        Assert.Equal("content must be a JSON object", notAnObject.Error);
    }

    [Fact]
    public async Task Incoming_refuses_what_no_phone_could_send()
    {
        var noDevice = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = "237600000009", from = "237600000010", text = "x" });
        Assert.Equal(HttpStatusCode.NotFound, noDevice.Status);
        Assert.Equal("No linked device 237600000009 on wa", noDevice.Error);

        var noContent = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = "237600000009", from = "237600000010" });
        Assert.Equal(HttpStatusCode.BadRequest, noContent.Status);
        Assert.Equal("Either text, media or content must be provided", noContent.Error);

        var badFrom = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = "237600000009", from = "nobody", text = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, badFrom.Status);
        Assert.Equal("Invalid phone number in from: nobody", badFrom.Error);
    }
}
