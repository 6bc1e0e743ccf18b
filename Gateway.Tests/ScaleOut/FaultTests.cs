using System.Collections.Concurrent;
using System.Net;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Webhooks;

namespace Gateway.Tests.ScaleOut;

/// <summary>An app of its own: its servers are restarted and its workers killed under the tests.</summary>
public sealed class FaultsApp : ScaleOutApp;

[CollectionDefinition(Name)]
public sealed class FaultsCollection : ICollectionFixture<FaultsApp>
{
    public const string Name = "faults";
}

/// <summary>
/// Servers restart, a worker dies and a receiver hangs while messages flow both ways. Afterwards every message a
/// contact sent reached each webhook once, every send the Api answered was sent or reported failed (and none was sent
/// twice), and the system reports itself healthy again without anyone's help.
/// </summary>
[Collection(FaultsCollection.Name)]
public sealed class FaultTests(FaultsApp app)
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData("postgres")]
    [InlineData("redis")]
    [InlineData("homeserver")]
    public async Task A_server_restarted_while_messages_flow_loses_and_doubles_nothing(string server)
    {
        var flow = await Flow.StartAsync(app);

        await flow.RunAsync(async () =>
        {
            await app.StopAsync(server);
            await Task.Delay(TimeSpan.FromSeconds(3)); // messages keep coming while it is down
            await app.StartAsync(server);
        });

        await flow.SurvivedAsync(exactlyOnce: true, homeserverMayDropSends: server == "homeserver");
    }

    [Fact]
    public async Task A_worker_killed_mid_delivery_is_taken_over_and_every_message_arrives()
    {
        var flow = await Flow.StartAsync(app, receiverDelay: TimeSpan.FromMilliseconds(300)); // deliveries are in flight
        Replica? killed = null;

        await flow.RunAsync(async () =>
        {
            var replicas = app.ReplicasOf("syncworker");
            killed = replicas[Random.Shared.Next(replicas.Count)];
            await killed.KillAsync();
        });

        try
        {
            // A POST cut off by kill -9 may have reached the receiver before its outcome was stored: it is sent again
            // under the same webhook-id, which Standard Webhooks receivers drop as a repeat. Nothing else may be doubled.
            await flow.SurvivedAsync(exactlyOnce: false, everyStatus: true);
        }
        finally
        {
            await app.StartAsync(killed!);
        }
    }

    [Fact]
    public async Task A_receiver_that_hangs_delays_only_its_own_webhook_and_gets_everything_once_it_answers()
    {
        var flow = await Flow.StartAsync(app);
        var hanging = await WebhookReceiver.StartAsync(delay: TimeSpan.FromMinutes(5));
        await app.CreateWebhookAsync(flow.Token, hanging.Url);

        await flow.RunAsync(() => Task.CompletedTask);
        await flow.SurvivedAsync(exactlyOnce: true); // the other webhook got everything while this one hung

        await hanging.DisposeAsync();
        await using var answering = await WebhookReceiver.StartAsync(hanging.Url); // the receiver's server comes back
        await Eventually.HoldsAsync(() => flow.Injected.All(e => answering.Requests.Any(r => r.EventId == e)), Recovery,
            () => $"{answering.Requests.Count} of {flow.Injected.Count} arrived after the hang");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.All(answering.Requests.GroupBy(r => r.EventId), g => Assert.Single(g));
    }

    /// <summary>A contact and a device talking both ways, a message each way every few hundred milliseconds.</summary>
    /// <param name="statuses">A webhook of its own for <c>message.status</c>: its order and pace are its own, not the messages'.</param>
    private sealed class Flow(FaultsApp app, string token, string device, string contact, WebhookReceiver receiver, WebhookReceiver statuses)
    {
        private readonly ConcurrentQueue<string> injected = new();
        private readonly ConcurrentQueue<(string Text, ApiResponse? Answer)> sends = new();
        private int next;

        public string Token => token;
        public IReadOnlyCollection<string> Injected => injected;

        public static async Task<Flow> StartAsync(FaultsApp app, TimeSpan? receiverDelay = null)
        {
            // The previous test's fault may still be settling (a circuit to the homeserver half open): a new user retries.
            var token = await Eventually.ValueAsync(
                async () => await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", app.SuperAdmin, new { use_host = false }),
                created => created.Status == HttpStatusCode.Created, Recovery, created => $"token: {(int)created.Status} {created.Error}");
            var receiver = await WebhookReceiver.StartAsync(receiverDelay);
            var secret = token.Body!["token"]!.GetValue<string>();
            await app.CreateWebhookAsync(secret, receiver.Url);
            var statuses = await WebhookReceiver.StartAsync();
            await app.CreateWebhookAsync(secret, statuses.Url, events: ["message.status"]);
            var device = await app.LinkDeviceAsync(secret);
            return new Flow(app, secret, device, SandboxSteps.NewPhone(), receiver, statuses);
        }

        /// <summary>Messages flow for a few seconds, through <paramref name="fault"/>, and a few seconds after it.</summary>
        public async Task RunAsync(Func<Task> fault)
        {
            using var stop = new CancellationTokenSource();
            var traffic = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await ExchangeAsync();
                    await Task.Delay(300);
                }
            });
            await Task.Delay(TimeSpan.FromSeconds(3));
            await fault();
            // At least five exchanges after the fault, however slow a loaded machine makes each one.
            var afterFault = Volatile.Read(ref next) + 5;
            await Task.Delay(TimeSpan.FromSeconds(5));
            await Eventually.HoldsAsync(() => Volatile.Read(ref next) > afterFault, Recovery, () => "messages stopped flowing");
            await stop.CancelAsync();
            await traffic;
        }

        /// <summary>What the contact's phone got from the device.</summary>
        private async Task<List<string?>> BridgedAsync() =>
            [.. (await app.Sandbox.CallAsync(HttpMethod.Get, $"/sandbox/sent?device_id={device}")).Body!.AsArray().Select(m => m!["body"]?.GetValue<string>())];

        private async Task ExchangeAsync()
        {
            var i = Interlocked.Increment(ref next);
            try
            {
                var incoming = await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/incoming",
                    json: new { device_id = device, from = contact, text = $"in {i}" });
                if (incoming.Status == HttpStatusCode.OK)
                {
                    injected.Enqueue(incoming.Body!["event_id"]!.GetValue<string>()); // refused ones (503) were never sent
                }
            }
            catch (HttpRequestException)
            {
                // the sandbox could not be reached: nothing was sent
            }
            var text = $"out {i}";
            try
            {
                sends.Enqueue((text, await app.Api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{device}/message", Auth.Bearer(token),
                    new { platform = "wa", contact, text })));
            }
            catch (HttpRequestException)
            {
                sends.Enqueue((text, null)); // never answered
            }
        }

        /// <param name="everyStatus">
        /// Each message the Api reported sent is also told as <c>message.status</c> <c>sent</c>: the bridge's status
        /// events are in the homeserver whatever the gateway's fault (an outage of the homeserver itself may lose them).
        /// </param>
        /// <param name="homeserverMayDropSends">
        /// A homeserver stopped mid-flow may never push to the bridge a message it had just stored: Synapse holds the
        /// events it has yet to send an application service in memory (element-hq/synapse#11637). The gateway then
        /// claims no more than it knows: the message stays pending.
        /// </param>
        public async Task SurvivedAsync(bool exactlyOnce, bool everyStatus = false, bool homeserverMayDropSends = false)
        {
            await Eventually.HoldsAsync(async () => (await app.Api.GetAsync("/health")).StatusCode == HttpStatusCode.OK, Recovery,
                () => "/health never became healthy again");
            await Eventually.HoldsAsync(() => injected.All(e => receiver.Requests.Any(r => r.EventId == e)), Recovery,
                () => $"{injected.Count(e => receiver.Requests.Any(r => r.EventId == e))} of {injected.Count} incoming messages arrived");
            await Task.Delay(TimeSpan.FromSeconds(2)); // a double would follow close behind
            foreach (var deliveries in receiver.Requests.GroupBy(r => r.EventId))
            {
                if (exactlyOnce)
                {
                    Assert.Single(deliveries);
                }
                Assert.Single(deliveries.Select(d => d.Headers["webhook-id"]).Distinct());
            }
            Assert.True(injected.Count >= 5, $"only {injected.Count} messages were injected");

            // What the contact's phone got, once the bridge has passed on every send the Api reported sent.
            var reportedSent = sends.Where(s => s.Answer?.Status == HttpStatusCode.OK && s.Answer.Body!["results"]![0]!["status"]!.GetValue<string>() == "sent")
                .Select(s => s.Text).ToList();
            List<string?> sent;
            // The flow has recovered by now (every incoming message arrived): a dropped send is not waited for long.
            var bridgedBy = DateTime.UtcNow + (homeserverMayDropSends ? TimeSpan.FromSeconds(30) : Recovery);
            while (!reportedSent.All((sent = await BridgedAsync()).Contains) && DateTime.UtcNow < bridgedBy)
            {
                await Task.Delay(100);
            }
            var notBridged = reportedSent.Except(sent).ToList();
            Assert.True(notBridged.Count == 0 || homeserverMayDropSends, $"reported sent but not bridged: {string.Join(", ", notBridged)}");
            Assert.True(notBridged.Count <= 2, $"more than the messages in flight at the stop were dropped: {string.Join(", ", notBridged)}");
            foreach (var text in notBridged)
            {
                var id = sends.Single(s => s.Text == text).Answer!.Body!["results"]![0]!["message_id"]!.GetValue<string>();
                var status = await app.Api.CallAsync(HttpMethod.Get, $"/api/v1/devices/{device}/messages/{Uri.EscapeDataString(id)}", Auth.Bearer(token));
                Assert.Equal((text, "pending"), (text, status.Body!["status"]!.GetValue<string>()));
            }
            foreach (var (text, answer) in sends)
            {
                Assert.True(answer is not null, $"{text}: the Api never answered");
                Assert.True(answer!.Status is HttpStatusCode.OK or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable,
                    $"{text}: {(int)answer.Status} {answer.Body?.ToJsonString()}");
                var result = answer.Status == HttpStatusCode.ServiceUnavailable ? null : answer.Body!["results"]![0]!;
                Assert.True(reportedSent.Contains(text) || answer.Error is { Length: > 0 } || result?["error"] is not null, $"{text}: neither sent nor failed");
                Assert.True(sent.Count(t => t == text) <= 1, $"{text} was sent {sent.Count(t => t == text)} times");
            }
            Assert.NotEmpty(reportedSent); // not every send can have failed

            var sentIds = sends.Where(s => s.Answer?.Status == HttpStatusCode.OK)
                .Select(s => s.Answer!.Body!["results"]![0]!["message_id"]?.GetValue<string>()).OfType<string>().ToList();
            if (everyStatus)
            {
                await Eventually.HoldsAsync(() => sentIds.All(id => statuses.Requests.Any(r => r.EventId == $"{id}:sent")), Recovery,
                    () => $"{sentIds.Count(id => statuses.Requests.Any(r => r.EventId == $"{id}:sent"))} of {sentIds.Count} sends were told sent");
            }
            // Whatever status arrived is about a message sent here, and none twice under another webhook-id.
            Assert.All(statuses.Requests, status => Assert.Contains(status.Json["message_id"]!.GetValue<string>(), sentIds));
            foreach (var deliveries in statuses.Requests.GroupBy(r => r.EventId))
            {
                Assert.Single(deliveries.Select(d => d.Headers["webhook-id"]).Distinct());
            }
        }
    }
}
