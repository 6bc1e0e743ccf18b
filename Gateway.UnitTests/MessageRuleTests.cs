using System.Text;
using System.Text.Json.Nodes;
using Gateway.Api.Features.Contacts;
using Gateway.Api.Features.Messages;
using Gateway.Shared.Bridges;
using Microsoft.AspNetCore.Http;

namespace Gateway.UnitTests;

/// <summary>The rules of sends and message actions that need no running system: what a request may be, and the Matrix content it becomes.</summary>
public sealed class MessageRuleTests
{
    private static readonly SendMessageRequest Text = new("237612345678", null, "wa", "Hello", null);

    private static OutgoingFile File(string name, int bytes = 4) =>
        new(new FormFile(new MemoryStream(new byte[bytes]), 0, bytes, "file", name) { Headers = new HeaderDictionary(), ContentType = "application/octet-stream" });

    [Fact]
    public void A_text_to_a_contact_is_a_send() => Assert.Null(Text.Problem(null));

    [Theory]
    [InlineData(null, null, null, "Either contact or group_url must be provided")]
    [InlineData(" , ", null, null, "Either contact or group_url must be provided")]
    [InlineData("1", "https://chat.whatsapp.com/x", null, null)]
    [InlineData(null, null, "120363@g.us", null)]
    public void A_send_needs_recipients_in_one_of_three_lists(string? contact, string? groupUrl, string? groupId, string? expected) =>
        Assert.Equal(expected, (Text with { Contact = contact, GroupUrl = groupUrl, GroupId = groupId }).Problem(null));

    [Fact]
    public void The_first_list_given_wins_group_url_then_group_id_then_contact()
    {
        var request = Text with { Contact = "1", GroupUrl = " ", GroupId = "a@g.us, b@g.us, a@g.us" };

        var (kind, recipients) = request.RecipientList();

        Assert.Equal(RecipientKind.GroupId, kind);
        Assert.Equal(["a@g.us", "b@g.us"], recipients);
    }

    [Fact]
    public void More_than_a_hundred_recipients_are_refused() =>
        Assert.Equal("Too many recipients: at most 100", (Text with { Contact = string.Join(',', Enumerable.Range(1, 101)) }).Problem(null));

    [Theory]
    [InlineData(0.0, 0.0, null)]
    [InlineData(-90.0, 180.0, null)]
    [InlineData(90.5, 0.0, "Invalid location: latitude must be between -90 and 90 and longitude between -180 and 180")]
    [InlineData(0.0, -180.5, "Invalid location: latitude must be between -90 and 90 and longitude between -180 and 180")]
    [InlineData(double.NaN, 0.0, "Invalid location: latitude must be between -90 and 90 and longitude between -180 and 180")]
    public void A_location_has_coordinates_on_the_globe(double latitude, double longitude, string? expected) =>
        Assert.Equal(expected, (Text with { Text = null, Location = new SendLocation(latitude, longitude) }).Problem(null));

    [Fact]
    public void A_location_without_coordinates_or_with_text_is_refused()
    {
        Assert.StartsWith("Invalid location", (Text with { Text = null, Location = new SendLocation(null, 3) }).Problem(null));
        Assert.Equal("A location is sent alone: without text or file", (Text with { Location = new SendLocation(1, 2) }).Problem(null));
    }

    [Fact]
    public void A_voice_note_needs_an_ogg_file()
    {
        var voice = Text with { Text = null, Voice = true };

        Assert.Equal("Either text or file must be provided", voice.Problem(null));
        Assert.Equal("A voice note needs an Ogg Opus audio file (.ogg or .opus)", voice.Problem(File("note.mp3")));
        Assert.Equal("A voice note needs an Ogg Opus audio file (.ogg or .opus)", (voice with { Text = "hi" }).Problem(null));
        Assert.Null(voice.Problem(File("note.ogg")));
        Assert.Null(voice.Problem(File("note.opus")));
    }

    [Fact]
    public void A_file_needs_an_extension_and_a_text_its_size()
    {
        Assert.Equal("Uploaded file must have a file extension", Text.Problem(File("README")));
        Assert.Equal($"Text is too long: at most {SendMessageRequest.MaxTextBytes} bytes",
            (Text with { Text = new string('é', SendMessageRequest.MaxTextBytes / 2 + 1) }).Problem(null));
    }

    [Theory]
    [InlineData("photo.jpg", "m.image")]
    [InlineData("photo.png", "m.image")]
    [InlineData("sticker.webp", "m.image")]
    [InlineData("scan.bmp", "m.file")]
    [InlineData("scan.tiff", "m.file")]
    [InlineData("anim.gif", "m.file")]
    [InlineData("clip.mp4", "m.video")]
    [InlineData("clip.avi", "m.file")]
    [InlineData("clip.mov", "m.file")]
    [InlineData("song.mp3", "m.audio")]
    [InlineData("note.ogg", "m.audio")]
    [InlineData("take.wav", "m.file")]
    [InlineData("report.pdf", "m.file")]
    public void A_file_goes_as_what_the_network_shows_it_as_else_as_a_document(string name, string msgtype) =>
        Assert.Equal(msgtype, File(name).MessageType);

    [Theory]
    [InlineData("👍", null)]
    [InlineData("❤️", null)]
    [InlineData("👩‍👩‍👧‍👦", null)]
    [InlineData("👍🏽", null)]
    [InlineData("1️⃣", null)]
    [InlineData("", null)]
    [InlineData("👍👍", "reaction must be one emoji, or \"\" to take the reaction back")]
    [InlineData("a", "reaction must be one emoji, or \"\" to take the reaction back")]
    [InlineData(" ", "reaction must be one emoji, or \"\" to take the reaction back")]
    [InlineData("!", "reaction must be one emoji, or \"\" to take the reaction back")]
    [InlineData(null, "Missing required field: reaction")]
    public void A_reaction_is_one_emoji_or_nothing(string? reaction, string? expected) => Assert.Equal(expected, new ReactionRequest(reaction).Problem);

    [Theory]
    [InlineData("new text", null)]
    [InlineData("", "Missing required field: text")]
    [InlineData(null, "Missing required field: text")]
    public void An_edit_has_new_text(string? text, string? expected) => Assert.Equal(expected, new EditRequest(text).Problem);

    [Theory]
    [InlineData("+237 612-345-678", "237612345678")]
    [InlineData("237612345678", "237612345678")]
    [InlineData("12345", null)]
    [InlineData("+1234567890123456", null)]
    [InlineData("abc", null)]
    [InlineData("+-1234567", null)]
    [InlineData("lid-123456789", null)]
    public void A_number_to_check_is_seven_to_fifteen_digits(string phone, string? digits) => Assert.Equal(digits, ContactPhone.Digits(phone));

    [Fact]
    public void A_location_is_a_geo_uri_with_its_name_as_body()
    {
        var content = MessageContent.Location(new SendLocation(48.8584, 2.2945, "Eiffel Tower"));

        Assert.Equal("m.location", content["msgtype"]!.GetValue<string>());
        Assert.Equal("geo:48.8584,2.2945", content["geo_uri"]!.GetValue<string>());
        Assert.Equal("Eiffel Tower", content["body"]!.GetValue<string>());
        Assert.Equal("geo:-1.5,0", MessageContent.Location(new SendLocation(-1.5, 0))["body"]!.GetValue<string>());
    }

    [Fact]
    public void A_voice_note_is_audio_marked_as_voice_and_a_caption_is_the_body()
    {
        var file = new UploadedFile("mxc://localhost/abc", "m.audio", "note.ogg", new JsonObject { ["mimetype"] = NetworkMedia.VoiceMimeType, ["size"] = 4 });

        var voice = MessageContent.File(file, caption: null, voice: true);
        var captioned = MessageContent.File(file with { MessageType = "m.file" }, caption: "listen", voice: false);

        Assert.Equal("m.audio", voice["msgtype"]!.GetValue<string>());
        Assert.NotNull(voice["org.matrix.msc3245.voice"]);
        Assert.Equal("note.ogg", voice["body"]!.GetValue<string>());
        Assert.Equal("m.file", captioned["msgtype"]!.GetValue<string>());
        Assert.Equal("listen", captioned["body"]!.GetValue<string>());
        Assert.Null(captioned["org.matrix.msc3245.voice"]);
    }

    [Fact]
    public void A_reply_an_edit_and_a_reaction_point_at_their_message()
    {
        var reply = MessageContent.InReplyTo(MessageContent.Text("yes"), "$m");
        var edit = MessageContent.Edit("$m", "fixed");
        var reaction = MessageContent.Reaction("$m", "👍");

        Assert.Equal("$m", reply["m.relates_to"]!["m.in_reply_to"]!["event_id"]!.GetValue<string>());
        Assert.Equal("m.replace", edit["m.relates_to"]!["rel_type"]!.GetValue<string>());
        Assert.Equal("fixed", edit["m.new_content"]!["body"]!.GetValue<string>());
        Assert.Equal("* fixed", edit["body"]!.GetValue<string>());
        Assert.Equal(("m.annotation", "$m", "👍"), (reaction["m.relates_to"]!["rel_type"]!.GetValue<string>(),
            reaction["m.relates_to"]!["event_id"]!.GetValue<string>(), reaction["m.relates_to"]!["key"]!.GetValue<string>()));
    }

    [Fact]
    public void The_bridge_says_whether_a_number_is_on_the_network()
    {
        var found = BotAnswer.Read("Found `237612345678` / [Ada](https://matrix.to/#/@whatsapp_237612345678:localhost)");
        var missing = BotAnswer.Read("Failed to resolve identifier: the server said +237612345678 is not on WhatsApp");

        Assert.Equal((BotAnswerKind.ContactFound, "237612345678"), (found.Kind, found.ContactId));
        Assert.Equal([BotAnswer.ResolveIdentifier], found.Answers);
        Assert.Equal(BotAnswerKind.ChatFailed, missing.Kind);
        Assert.Contains(BotAnswer.ResolveIdentifier, missing.Answers);
    }
}
