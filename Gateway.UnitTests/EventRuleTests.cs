using System.Text.Json.Nodes;
using Gateway.Shared.Events;
using Gateway.SyncWorker.Delivery;
using Gateway.SyncWorker.Incoming;

namespace Gateway.UnitTests;

/// <summary>The rules of webhook events that need no running system: kinds, a message's way, what the bridge's words mean, payloads.</summary>
public sealed class EventRuleTests
{
    [Fact]
    public void A_batch_is_stored_in_runs_in_its_order_with_each_message_that_carries_a_file_alone()
    {
        IncomingEvent Text(string id) => new(EventKinds.Message, id, "!room", new object());
        IncomingEvent File(string id) => new(EventKinds.Message, id, "!room", new object(), File: new JsonObject { ["url"] = "mxc://x/y" });

        var runs = IncomingRuns.Of([Text("a"), Text("b"), File("c"), File("d"), Text("e")]).Select(run => run.Select(e => e.Id)).ToList();

        Assert.Equal([["a", "b"], ["c"], ["d"], ["e"]], runs);
        Assert.Empty(IncomingRuns.Of([]));
    }

    [Fact]
    public void A_webhook_takes_known_kinds_trimmed_once_each_in_order()
    {
        var (kinds, error) = EventKinds.Parse([" message.status", "message", "message.status"]);

        Assert.Null(error);
        Assert.Equal(["message.status", "message"], kinds);
    }

    [Fact]
    public void Every_kind_is_a_star_alone()
    {
        Assert.Equal(["*"], EventKinds.Parse(["message", "*"]).Kinds);
    }

    [Theory]
    [InlineData("message.read", "Unknown event: message.read")]
    [InlineData("", "events must be a non-empty list of event kinds")]
    [InlineData(null, "events must be a non-empty list of event kinds")]
    public void An_unknown_or_empty_kind_is_refused(string? kind, string expected)
    {
        var (kinds, error) = EventKinds.Parse(["message", kind]);

        Assert.Null(kinds);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void No_kinds_at_all_is_refused() => Assert.Equal(EventKinds.NotAList, EventKinds.Parse([]).Error);

    [Theory]
    [InlineData("pending", "sent", true)]
    [InlineData("sent", "delivered", true)]
    [InlineData("delivered", "read", true)]
    [InlineData("sent", "read", true)] // a group: no delivery receipts
    [InlineData("pending", "read", true)] // a bridge without status events
    [InlineData("pending", "failed", true)]
    [InlineData("sent", "failed", true)]
    [InlineData("read", "delivered", false)] // never backwards
    [InlineData("delivered", "sent", false)]
    [InlineData("sent", "sent", false)] // each once
    [InlineData("read", "read", false)]
    [InlineData("delivered", "failed", false)] // what reached the phone did not fail
    [InlineData("failed", "read", false)]
    [InlineData("failed", "failed", false)]
    public void A_message_only_moves_forward(string current, string reported, bool moves)
    {
        Assert.Equal(moves, MessageStatuses.MovesTo(current, reported));
    }

    [Theory]
    [InlineData("""{"status":"SUCCESS"}""", "sent", null)]
    [InlineData("""{"status":"SUCCESS","delivered_to_users":["@whatsapp_lid-1:localhost"]}""", "delivered", null)]
    [InlineData("""{"status":"FAIL_PERMANENT","reason":"m.foreign_network_error","message":"The recipient blocked you"}""", "failed", "The recipient blocked you")]
    [InlineData("""{"status":"FAIL_RETRIABLE","reason":"m.foreign_network_error","error":"timeout"}""", "failed", "timeout")]
    [InlineData("""{"status":"FAIL_RETRIABLE","reason":"m.event_not_handled","internal_error":"failed to convert message: uri doesn't have geo: prefix"}""",
        "failed", "failed to convert message: uri doesn't have geo: prefix")]
    public void A_send_status_event_is_a_step(string content, string status, string? error)
    {
        Assert.Equal((status, error), StatusReader.StatusOf(JsonNode.Parse(content)));
    }

    [Fact]
    public void A_pending_status_is_no_step() => Assert.Null(StatusReader.StatusOf(JsonNode.Parse("""{"status":"PENDING"}""")));

    [Fact]
    public void An_error_notice_gives_the_bridges_words() =>
        Assert.Equal("the recipient is not on WhatsApp", StatusReader.WhyOf("⚠️ Your message was not bridged: the recipient is not on WhatsApp"));

    [Theory]
    [InlineData("geo:52.5200,13.4050", 52.52, 13.405)]
    [InlineData("geo:-33.8688,151.2093;u=35", -33.8688, 151.2093)]
    [InlineData("geo:10,20,300", 10.0, 20.0)]
    public void A_geo_uri_gives_its_coordinates(string uri, double latitude, double longitude)
    {
        Assert.Equal((latitude, longitude), GeoUri.Parse(uri));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("52.52,13.40")]
    [InlineData("geo:91,0")]
    [InlineData("geo:0,181")]
    [InlineData("geo:NaN,0")]
    [InlineData("geo:52.52")]
    [InlineData("geo:a,b")]
    public void Anything_else_is_no_location(string? uri) => Assert.Null(GeoUri.Parse(uri));

    [Fact]
    public void A_message_payload_keeps_the_seeds_fields_first_and_in_order()
    {
        var payload = new MessagePayload("$e", true, "m.text", "5511988887777", "@u:localhost", "Olá", "wa-1", WebhookMedia.None,
            EventKinds.Message, "2026-12-02T10:00:00.000Z", new WebhookChat("contact", "1@lid", "Ana"), null, null, false);

        var json = System.Text.Encoding.UTF8.GetString(OutboxEvent.Serialize(payload));

        Assert.StartsWith("""{"id":"$e","is_contact":true,"type":"m.text","from":"5511988887777","to":"@u:localhost","message":"Olá","device_id":"wa-1","media":{"content":null,"info":{"size":0,"mime_type":"","width":0,"height":0,"blur_hash":"","file_name":""}},""", json);
        Assert.EndsWith(""","event":"message","timestamp":"2026-12-02T10:00:00.000Z","chat":{"type":"contact","id":"1@lid","name":"Ana"},"reply_to":null,"location":null,"voice":false}""", json);
    }

    [Fact]
    public void A_timestamp_is_rfc_3339_in_utc() =>
        Assert.Equal("2026-12-02T10:00:00.123Z", OutboxEvent.Timestamp(new DateTimeOffset(2026, 12, 2, 11, 0, 0, 123, TimeSpan.FromHours(1))));
}
