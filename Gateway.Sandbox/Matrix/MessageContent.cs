using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.Sandbox.Matrix;

/// <summary>Builds message contents the way mautrix bridges shape them.</summary>
public static partial class MessageContent
{
    /// <summary>
    /// A bot reply: markdown in <c>body</c>, its HTML in <c>formatted_body</c> when it has any markup,
    /// as mautrix's <c>ce.Reply</c> renders it.
    /// </summary>
    public static JsonObject Notice(string markdown)
    {
        var content = new JsonObject { ["msgtype"] = "m.notice", ["body"] = markdown };
        var html = MarkdownToHtml(markdown);
        if (html != markdown)
        {
            content["format"] = "org.matrix.custom.html";
            content["formatted_body"] = html;
        }
        return content;
    }

    /// <summary>A reply written as HTML (mautrix's <c>ReplyAdvanced(html, false, true)</c>): body is its markdown form.</summary>
    public static JsonObject NoticeFromHtml(string html, string body) => new()
    {
        ["msgtype"] = "m.notice",
        ["body"] = body,
        ["format"] = "org.matrix.custom.html",
        ["formatted_body"] = html,
    };

    public static JsonObject Text(string body) => new() { ["msgtype"] = "m.text", ["body"] = body };

    /// <summary>
    /// A bridge state change told to the user (bridgev2's bridge state notice): an <c>m.text</c>, not a notice, when
    /// the state is an error, rendered from markdown, with the state itself under <c>fi.mau.bridge_state</c>.
    /// </summary>
    public static JsonObject BridgeStateAlert(string markdown, JsonObject state)
    {
        var content = Notice(markdown);
        content["msgtype"] = "m.text";
        content["fi.mau.bridge_state"] = state;
        return content;
    }

    /// <summary>The bot's notice that a user's message did not reach the remote chat, in reply to it and mentioning its sender.</summary>
    public static JsonObject NotBridged(string body, string eventId, string sender) => new()
    {
        ["msgtype"] = "m.notice",
        ["body"] = body,
        ["m.relates_to"] = new JsonObject { ["m.in_reply_to"] = new JsonObject { ["event_id"] = eventId } },
        ["m.mentions"] = new JsonObject { ["user_ids"] = new JsonArray(sender) },
    };

    /// <summary>
    /// A file message as mautrix-whatsapp sends it (MSC2530): the name always in <c>filename</c>, the caption as the
    /// body, and an empty body when there is no caption (not the file name, as older bridges did).
    /// </summary>
    public static JsonObject Media(string msgType, string fileName, string? caption, string mxcUrl, JsonObject info)
    {
        var content = new JsonObject
        {
            ["msgtype"] = msgType,
            ["body"] = caption ?? "",
            ["filename"] = fileName,
            ["url"] = mxcUrl,
            ["info"] = info,
        };
        return content;
    }

    /// <summary>A text edit as bridgev2 sends one: the new text in <c>m.new_content</c>, <c>* </c> before it as the fallback.</summary>
    public static JsonObject Edit(string text, string eventId) => new()
    {
        ["msgtype"] = "m.text",
        ["body"] = "* " + text,
        ["m.new_content"] = Text(text),
        ["m.relates_to"] = new JsonObject { ["rel_type"] = "m.replace", ["event_id"] = eventId },
    };

    public static JsonObject Reaction(string eventId, string key) => new()
    {
        ["m.relates_to"] = new JsonObject { ["rel_type"] = "m.annotation", ["event_id"] = eventId, ["key"] = key },
    };

    /// <summary>
    /// A voice note as mautrix-whatsapp sends a push-to-talk message: an <c>m.audio</c> marked with MSC3245, with its
    /// length under MSC1767 too, in the Opus-in-Ogg WhatsApp records.
    /// </summary>
    public static JsonObject Voice(string fileName, string mxcUrl, JsonObject info)
    {
        var content = Media("m.audio", fileName, null, mxcUrl, info);
        content["org.matrix.msc3245.voice"] = new JsonObject();
        var audio = new JsonObject();
        if (info["duration"] is { } duration)
        {
            audio["duration"] = duration.DeepClone();
        }
        content["org.matrix.msc1767.audio"] = audio;
        return content;
    }

    /// <summary>An <c>m.sticker</c> event's content: a file message without a msgtype (stickers are their own event type).</summary>
    public static JsonObject Sticker(string fileName, string mxcUrl, JsonObject info)
    {
        var content = Media("m.image", fileName, null, mxcUrl, info);
        content.Remove("msgtype");
        return content;
    }

    /// <summary>A shared location: <c>geo:&lt;lat&gt;,&lt;long&gt;</c> written the same whatever the machine's culture.</summary>
    public static JsonObject Location(double latitude, double longitude, string? name) => new()
    {
        ["msgtype"] = "m.location",
        ["body"] = string.IsNullOrWhiteSpace(name) ? "Location" : name,
        ["geo_uri"] = string.Create(CultureInfo.InvariantCulture, $"geo:{latitude},{longitude}"),
    };

    /// <summary>
    /// The login QR: an <c>m.image</c> named <c>qr.png</c> whose body is the raw payload. A refresh is an
    /// <c>m.replace</c> edit with the new payload in <c>m.new_content</c>; for images mautrix does not prefix
    /// the top-level body with <c>* </c>.
    /// </summary>
    public static JsonObject QrImage(string payload, string mxcUrl, JsonObject info, string? replaces = null)
    {
        JsonObject Build() => new()
        {
            ["msgtype"] = "m.image",
            ["body"] = payload,
            ["filename"] = "qr.png",
            ["url"] = mxcUrl,
            ["info"] = info.DeepClone(),
            ["format"] = "org.matrix.custom.html",
            ["formatted_body"] = $"<pre><code>{WebUtility.HtmlEncode(payload)}</code></pre>",
        };
        var content = Build();
        if (replaces is not null)
        {
            content["m.new_content"] = Build();
            content["m.relates_to"] = new JsonObject { ["rel_type"] = "m.replace", ["event_id"] = replaces };
        }
        return content;
    }

    private static string MarkdownToHtml(string markdown)
    {
        // Only what HTML needs escaped: quotes and apostrophes stay as typed, so plain texts stay without formatting.
        var html = markdown.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
        html = CodeSpan().Replace(html, "<code>$1</code>");
        html = Bold().Replace(html, "<strong>$1</strong>");
        html = Link().Replace(html, "<a href=\"$2\">$1</a>");
        return html.Replace("\n", "<br>");
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\*\*([^*]+)\*\*")]
    private static partial Regex Bold();

    // Link text may be empty: bridgev2 names a ghost it never met by an empty name ("[](https://matrix.to/#/…)").
    [GeneratedRegex(@"\[([^\]]*)\]\(([^)\s]+)\)")]
    private static partial Regex Link();
}
