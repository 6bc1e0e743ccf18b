using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Webhooks;

/// <summary>
/// What an operator sees of the gateway on a dashboard, read from the OTLP exports as a collector receives them: the
/// gateway's own figures (docs/scaling.md#telemetry), and a trace that follows a message through the gateway.
/// </summary>
[Collection(WebhooksCollection.Name)]
public sealed class GatewayTelemetryTests(WebhooksApp app)
{
    private static readonly TimeSpan ExportWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_incoming_message_is_one_trace_from_its_storing_to_its_webhook_POST()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var deviceId = await app.LinkDeviceAsync(token);

        var message = await app.ReceiveAsync(deviceId, SandboxSteps.NewPhone(), "Follow me");

        var post = await Eventually.ValueAsync(() => Task.FromResult(receiver.Requests.FirstOrDefault(r => r.EventId == message.EventId)),
            post => post is not null, TimeSpan.FromSeconds(30), _ => "the message was never POSTed");
        // The receiver's side of the trace: the POST says which trace it belongs to, and which span made it.
        var (traceId, postSpanId) = post!.Headers["traceparent"].Split('-') is [_, var trace, var span, _] ? (trace, span) : ("", "");
        var spans = await Eventually.ValueAsync(() => Task.FromResult(app.Telemetry!.Spans.Where(s => s.TraceId == traceId).ToList()),
            // Each span is exported when it ends, the POST before the delivery around it: wait for all three.
            spans => spans.Any(s => s.SpanId == postSpanId) && spans.Any(s => s.Name == "incoming message") && spans.Any(s => s.Name == "webhook delivery"),
            ExportWait, spans => $"trace {traceId}: {string.Join(", ", spans.Select(s => s.Name))}");

        var stored = Assert.Single(spans, s => s.Name == "incoming message");
        Assert.Equal(("Gateway.SyncWorker", message.EventId, ""), (stored.Scope, stored.Attributes["gateway.event.id"], stored.ParentSpanId));
        var delivery = Assert.Single(spans, s => s.Name == "webhook delivery");
        Assert.Equal((stored.SpanId, "delivered"), (delivery.ParentSpanId, delivery.Attributes["gateway.delivery.outcome"]));
        var postSpan = Assert.Single(spans, s => s.SpanId == postSpanId);
        Assert.Equal((delivery.SpanId, "POST"), (postSpan.ParentSpanId, postSpan.Name));
        // Its sync batch is a trace of its own, which the message's links to: a batch of a hundred is a hundred traces.
        Assert.Contains(app.Telemetry!.Spans, s => s.Name == "sync batch" && s.TraceId != traceId);
    }

    [Fact]
    public async Task A_send_is_one_trace_through_to_the_homeserver_and_the_figures_count_sends_events_and_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        await app.CreateWebhookAsync(token, receiver.Url);
        var deviceId = await app.LinkDeviceAsync(token);
        var contact = SandboxSteps.NewPhone();

        var sent = await app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{deviceId}/message", Auth.Bearer(token),
            new { contact, platform = "wa", text = "Counted" });
        Assert.Equal(HttpStatusCode.OK, sent.Status);
        var messageId = sent.Body!["results"]![0]!["message_id"]!.GetValue<string>();
        await app.ReceiveAsync(deviceId, contact, "Counted too");
        await receiver.WaitForAsync(1);

        // The send's span holds the call that put the message into its room on the homeserver (the event id is its answer).
        var send = await Eventually.ValueAsync(() => Task.FromResult(SendWithItsPut(app.Telemetry!.Spans)), send => send is not null, ExportWait, _ => $"no send span with the homeserver call that stored {messageId} was exported");
        Assert.Equal(("Gateway.Api", "wa"), (send!.Scope, send.Attributes["gateway.platform"]));

        // Each of the gateway's figures, under its name and with the tags a dashboard groups by.
        var points = await Eventually.ValueAsync(() => Task.FromResult(app.Telemetry!.Points), points =>
            Has(points, "gateway.sends", ("outcome", "sent"), ("platform", "wa"))
            && Has(points, "gateway.bridge.command.duration", ("command", "start-chat"), ("outcome", "answered"))
            && Has(points, "gateway.incoming.events", ("kind", "message"))
            && Has(points, "gateway.webhook.attempts", ("outcome", "delivered"))
            && Has(points, "gateway.webhook.attempt.duration", ("outcome", "delivered"))
            && Has(points, "gateway.sync.lag")
            && Has(points, "gateway.sync.loops"),
            ExportWait, points => "exported: " + string.Join(", ", points.Select(p => p.Metric).Distinct().Order()));
        var names = points.Select(p => p.Metric).ToHashSet();
        Assert.Superset(new HashSet<string> { "gateway.outbox.pending", "gateway.outbox.oldest_pending_age", "gateway.sync.lease_takeovers" }, names);
        Assert.All(points.Where(p => p.Metric.StartsWith("gateway.", StringComparison.Ordinal)),
            p => Assert.Equal(p.Metric is "gateway.sends" or "gateway.bridge.command.duration" ? "Gateway.Api" : "Gateway.SyncWorker", p.Scope));

        static Otlp.Span? SendWithItsPut(IReadOnlyList<Otlp.Span> spans) =>
            spans.FirstOrDefault(send => send.Name == "send message" && spans.Any(call => call.ParentSpanId == send.SpanId && call.Name == "PUT"
                && call.Attributes.GetValueOrDefault("url.full")?.Contains("/_matrix/client/v3/rooms/") == true
                && call.Attributes["url.full"].Contains("/send/m.room.message/")));
    }

    /// <summary>Whether a data point of <paramref name="metric"/> with these tags counted something.</summary>
    private static bool Has(IReadOnlyList<Otlp.Point> points, string metric, params (string Key, string Value)[] tags) =>
        points.Any(p => p.Metric == metric && p.Value > 0 && tags.All(t => p.Attributes.GetValueOrDefault(t.Key) == t.Value));
}
