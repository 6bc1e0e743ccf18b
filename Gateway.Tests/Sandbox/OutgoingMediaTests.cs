using System.Text.Json.Nodes;

namespace Gateway.Tests.Sandbox;

/// <summary>Files, voice notes and locations the user sends: what mautrix-whatsapp converts, takes as they are, or refuses.</summary>
[Collection(SandboxCollection.Name)]
public sealed class OutgoingMediaTests(SandboxApp app)
{
    [Fact]
    public async Task A_file_of_a_type_WhatsApp_cannot_take_in_its_kind_is_refused_with_a_notice()
    {
        var (user, device, chat) = await ChatAsync();

        foreach (var (msgtype, mimeType) in new[] { ("m.image", "image/bmp"), ("m.image", "image/tiff"), ("m.audio", "audio/wav"), ("m.video", "video/x-msvideo") })
        {
            var file = await user.Matrix.SendAsync(chat.RoomId, await FileAsync(user, msgtype, mimeType));

            var status = await user.WaitForStatusAsync(chat.RoomId, file);
            Assert.Equal("FAIL_RETRIABLE", status["status"]!.GetValue<string>());
            Assert.Equal("com.beeper.unsupported_event", status["reason"]!.GetValue<string>());
            Assert.Equal($"unsupported media type ({mimeType} in {msgtype})", status["message"]!.GetValue<string>());
            await user.Matrix.WaitForMessageAsync(chat.RoomId, SandboxApp.Bot,
                b => b == $"⚠️ Your message was not bridged: unsupported media type ({mimeType} in {msgtype})", file);
            Assert.Null(await app.SentRecordAsync(device, file));
        }
    }

    [Fact]
    public async Task A_file_WhatsApp_takes_is_recorded_with_the_type_it_goes_as()
    {
        var (user, device, chat) = await ChatAsync();

        foreach (var (msgtype, mimeType, networkMimeType) in new[]
        {
            ("m.image", "image/jpeg", "image/jpeg"), ("m.image", "image/png", "image/jpeg"), ("m.image", "image/gif", "video/mp4"),
            ("m.video", "video/quicktime", "video/mp4"), ("m.audio", "audio/mpeg", "audio/mpeg"),
            ("m.file", "image/bmp", "image/bmp"), ("m.file", "audio/wav", "audio/wav"),
        })
        {
            var file = await user.Matrix.SendAsync(chat.RoomId, await FileAsync(user, msgtype, mimeType));

            Assert.Equal("SUCCESS", (await user.WaitForStatusAsync(chat.RoomId, file))["status"]!.GetValue<string>());
            var sent = (await app.SentRecordAsync(device, file))!;
            Assert.Equal(msgtype, sent["msgtype"]!.GetValue<string>());
            Assert.Equal(mimeType, sent["mime_type"]!.GetValue<string>());
            Assert.Equal(networkMimeType, sent["network_mime_type"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_voice_note_goes_as_push_to_talk_only_in_Ogg()
    {
        var (user, device, chat) = await ChatAsync();

        var ogg = await user.Matrix.SendAsync(chat.RoomId, Voice(await FileAsync(user, "m.audio", "audio/ogg")));
        var opus = await user.Matrix.SendAsync(chat.RoomId, Voice(await FileAsync(user, "m.audio", "audio/ogg; codecs=opus")));
        var mp3 = await user.Matrix.SendAsync(chat.RoomId, Voice(await FileAsync(user, "m.audio", "audio/mpeg")));

        foreach (var voice in new[] { ogg, opus })
        {
            Assert.Equal("SUCCESS", (await user.WaitForStatusAsync(chat.RoomId, voice))["status"]!.GetValue<string>());
            var sent = (await app.SentRecordAsync(device, voice))!;
            Assert.True(sent["voice"]!.GetValue<bool>());
            Assert.Equal("audio/ogg; codecs=opus", sent["network_mime_type"]!.GetValue<string>());
        }
        var refused = await user.WaitForStatusAsync(chat.RoomId, mp3);
        Assert.Equal("unsupported media type (audio/mpeg in org.matrix.msc3245.voice)", refused["message"]!.GetValue<string>());
        Assert.Null(await app.SentRecordAsync(device, mp3));
    }

    [Fact]
    public async Task A_location_goes_with_its_geo_URI_and_one_that_does_not_parse_fails_quietly()
    {
        var (user, device, chat) = await ChatAsync();

        var office = await user.Matrix.SendAsync(chat.RoomId, Location("geo:4.0511,9.7679;u=35"));
        var noScheme = await user.Matrix.SendAsync(chat.RoomId, Location("4.0511,9.7679"));
        var words = await user.Matrix.SendAsync(chat.RoomId, Location("geo:north,9.7679"));

        Assert.Equal("SUCCESS", (await user.WaitForStatusAsync(chat.RoomId, office))["status"]!.GetValue<string>());
        Assert.Equal("geo:4.0511,9.7679;u=35", (await app.SentRecordAsync(device, office))!["geo_uri"]!.GetValue<string>());
        // A plain error inside mautrix-whatsapp: nothing to show the user, so no message and no notice.
        foreach (var (bad, error) in new[]
        {
            (noScheme, "failed to convert message: uri doesn't have geo: prefix"),
            (words, "failed to convert message: latitude is not a number: strconv.ParseFloat: parsing \"north\": invalid syntax"),
        })
        {
            var status = await user.WaitForStatusAsync(chat.RoomId, bad);
            Assert.Equal("FAIL_RETRIABLE", status["status"]!.GetValue<string>());
            Assert.Equal("m.event_not_handled", status["reason"]!.GetValue<string>());
            Assert.Equal(error, status["internal_error"]!.GetValue<string>());
            Assert.Null(status["message"]);
            Assert.Empty(user.NoticesAbout(chat.RoomId, bad));
            Assert.Null(await app.SentRecordAsync(device, bad));
        }
    }

    private async Task<(SandboxUser User, string Device, ContactChat Chat)> ChatAsync()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        return (user, device, await user.ChatWithContactAsync(device, SandboxApp.NewPhone()));
    }

    /// <summary>A file message as a client sends one; the bytes do not matter to the bridge's checks, the declared type does.</summary>
    private static async Task<JsonObject> FileAsync(SandboxUser user, string msgtype, string mimeType)
    {
        var bytes = TestFiles.Png(4, 4);
        var name = "file." + mimeType.Split('/')[1].Split(';')[0];
        return new JsonObject
        {
            ["msgtype"] = msgtype,
            ["body"] = name,
            ["filename"] = name,
            ["url"] = await user.Matrix.UploadAsync(bytes, mimeType.Split(';')[0], name),
            ["info"] = new JsonObject { ["mimetype"] = mimeType, ["size"] = bytes.Length },
        };
    }

    private static JsonObject Voice(JsonObject audio)
    {
        audio["org.matrix.msc3245.voice"] = new JsonObject();
        audio["org.matrix.msc1767.audio"] = new JsonObject { ["duration"] = 1200 };
        return audio;
    }

    private static JsonObject Location(string geoUri) => new() { ["msgtype"] = "m.location", ["body"] = "Office", ["geo_uri"] = geoUri };
}
