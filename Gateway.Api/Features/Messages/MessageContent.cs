using System.Globalization;
using System.Text.Json.Nodes;

namespace Gateway.Api.Features.Messages;

/// <summary>
/// The one place a request becomes Matrix content, as the bridge takes it (docs/bridge.md#message-actions): a text, a
/// file, a location or a voice note, as a reply or not, and a reaction or an edit of an earlier message.
/// </summary>
public static class MessageContent
{
    public static JsonObject Text(string text) => new() { ["msgtype"] = "m.text", ["body"] = text };

    /// <summary>
    /// A file in the media repository. Matrix captions: body is the caption and filename the file's name (the body alone
    /// when there is no caption). A voice note is audio that says it is one (MSC3245), uploaded in the type the bridge takes.
    /// </summary>
    public static JsonObject File(UploadedFile file, string? caption, bool voice)
    {
        var content = new JsonObject
        {
            ["msgtype"] = voice ? "m.audio" : file.MessageType,
            ["body"] = string.IsNullOrEmpty(caption) ? file.FileName : caption,
            ["filename"] = file.FileName,
            ["url"] = file.Url,
            ["info"] = file.Info.DeepClone(),
        };
        if (voice)
        {
            content["org.matrix.msc3245.voice"] = new JsonObject();
            content["org.matrix.msc1767.audio"] = new JsonObject();
        }
        return content;
    }

    /// <summary>A location pin: <c>geo:&lt;latitude&gt;,&lt;longitude&gt;</c>, its name (or the coordinates) as the body.</summary>
    public static JsonObject Location(SendLocation at)
    {
        var geoUri = string.Create(CultureInfo.InvariantCulture, $"geo:{at.Latitude},{at.Longitude}");
        return new JsonObject
        {
            ["msgtype"] = "m.location",
            ["body"] = string.IsNullOrWhiteSpace(at.Name) ? geoUri : at.Name,
            ["geo_uri"] = geoUri,
        };
    }

    /// <summary>The content, as a reply to <paramref name="replyId"/>.</summary>
    public static JsonObject InReplyTo(JsonObject content, string replyId)
    {
        content["m.relates_to"] = new JsonObject { ["m.in_reply_to"] = new JsonObject { ["event_id"] = replyId } };
        return content;
    }

    /// <summary>An <c>m.reaction</c> event's content: the emoji as an annotation of the message.</summary>
    public static JsonObject Reaction(string messageId, string emoji) => new()
    {
        ["m.relates_to"] = new JsonObject { ["rel_type"] = "m.annotation", ["event_id"] = messageId, ["key"] = emoji },
    };

    /// <summary>An edit: the new text in <c>m.new_content</c>, and a fallback body for clients that do not know edits.</summary>
    public static JsonObject Edit(string messageId, string text) => new()
    {
        ["msgtype"] = "m.text",
        ["body"] = $"* {text}",
        ["m.new_content"] = Text(text),
        ["m.relates_to"] = new JsonObject { ["rel_type"] = "m.replace", ["event_id"] = messageId },
    };
}
