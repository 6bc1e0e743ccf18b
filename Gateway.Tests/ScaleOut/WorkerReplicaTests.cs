using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Tests.ScaleOut;

/// <summary>
/// Two SyncWorker replicas share the identities by lease: each identity is synced by one of them, a dead or stopped
/// replica's identities are taken over, and messages keep arriving exactly once through it all.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed partial class WorkerReplicaTests(ScaleOutApp app)
{
    private static readonly TimeSpan Takeover = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Each_identity_is_synced_by_one_replica_and_both_replicas_carry_a_share()
    {
        List<Subscriber> subscribers = [];
        for (var i = 0; i < 4; i++)
        {
            subscribers.Add(await SubscribeAsync());
        }

        var holders = await Eventually.ValueAsync(HoldersAsync,
            h => h.Count == IdentityCount() && h.Values.Distinct().Count() == 2, Takeover, h => Describe(h));
        var replicas = app.ReplicasOf("syncworker");
        Assert.All(replicas, r => Assert.Contains(holders.Values, h => r.Runs(ProcessOf(h))));
        var share = (int)Math.Ceiling(holders.Count / 2.0);
        Assert.All(holders.Values.GroupBy(h => h), held => Assert.True(held.Count() <= share, Describe(holders)));

        var phone = SandboxSteps.NewPhone();
        foreach (var subscriber in subscribers)
        {
            await app.ReceiveAsync(subscriber.Device, phone, $"hello {subscriber.Device}");
        }
        foreach (var subscriber in subscribers)
        {
            await subscriber.ReceivedExactlyOnceAsync([$"hello {subscriber.Device}"]);
        }
    }

    [Fact]
    public async Task A_replica_killed_while_messages_flow_is_taken_over_and_nothing_is_lost_or_doubled()
    {
        var subscriber = await SubscribeAsync();
        var (holder, _) = await HolderOfAsync(subscriber);
        var phone = SandboxSteps.NewPhone();
        List<string> texts = [.. Enumerable.Range(1, 10).Select(i => $"message {i} of {subscriber.Device}")];

        foreach (var text in texts[..5])
        {
            await app.ReceiveAsync(subscriber.Device, phone, text);
        }
        await holder.KillAsync();
        try
        {
            foreach (var text in texts[5..])
            {
                await app.ReceiveAsync(subscriber.Device, phone, text);
            }

            // A POST cut off by kill -9 may have reached the receiver before its outcome was stored: it comes again under
            // the same webhook-id, which a Standard Webhooks receiver drops as a repeat. Nothing else may come twice.
            await subscriber.ReceivedExactlyOnceAsync(texts, repeatsOfOneDelivery: true);
            var successor = await HolderOfAsync(subscriber);
            Assert.NotEqual(holder.Id, successor.Replica.Id);
        }
        finally
        {
            await RestartAndRebalanceAsync(holder);
        }
    }

    [Fact]
    public async Task A_replica_stopped_gracefully_hands_its_identities_over_at_once()
    {
        var subscriber = await SubscribeAsync();
        var (holder, name) = await HolderOfAsync(subscriber);

        await app.StopAsync(holder);
        try
        {
            // Handed back before the process ended, not left to expire.
            Assert.DoesNotContain(name, (await HoldersAsync()).Values);
            var phone = SandboxSteps.NewPhone();
            await app.ReceiveAsync(subscriber.Device, phone, "after the handover");
            await subscriber.ReceivedExactlyOnceAsync(["after the handover"]);
        }
        finally
        {
            await RestartAndRebalanceAsync(holder);
        }
    }

    [Fact]
    public async Task A_replica_paused_longer_than_its_lease_is_taken_over_and_writes_nothing_when_it_wakes()
    {
        var subscriber = await SubscribeAsync();
        var (holder, name) = await HolderOfAsync(subscriber);
        var phone = SandboxSteps.NewPhone();
        List<string> texts = [.. Enumerable.Range(1, 3).Select(i => $"paused {i} of {subscriber.Device}")];

        List<long> positions;
        await using (await app.FreezeAsync(holder.Id))
        {
            // The paused replica's pending /sync answers with these too: it holds a batch it must not store.
            foreach (var text in texts)
            {
                await app.ReceiveAsync(subscriber.Device, phone, text);
            }
            await subscriber.ReceivedExactlyOnceAsync(texts);
            positions = [await SyncPositionAsync(subscriber)];
        }
        // The woken replica finds its lease lapsed; whatever it had in hand, the stored position never goes back.
        var watched = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < watched)
        {
            positions.Add(await SyncPositionAsync(subscriber));
            await Task.Delay(200);
        }

        Assert.Equal(positions.Order(), positions);
        await app.ReceiveAsync(subscriber.Device, phone, "after waking");
        await subscriber.ReceivedExactlyOnceAsync([.. texts, "after waking"]);
        await Eventually.HoldsAsync(async () => (await HoldersAsync()).ContainsValue(name), Takeover,
            () => "the woken replica never took a share again");
    }

    private sealed record Subscriber(int IdentityId, string Device, WebhookReceiver Receiver)
    {
        public async Task ReceivedExactlyOnceAsync(IReadOnlyList<string> texts, bool repeatsOfOneDelivery = false)
        {
            await Eventually.HoldsAsync(() => texts.All(t => Messages().Contains(t)), Takeover,
                () => $"received: {string.Join(" | ", Messages())}");
            await Task.Delay(TimeSpan.FromSeconds(2)); // a double would follow close behind
            var deliveries = repeatsOfOneDelivery ? Receiver.Requests.DistinctBy(r => r.Headers["webhook-id"]) : Receiver.Requests;
            Assert.Equal(texts, deliveries.Select(r => r.Json["message"]!.GetValue<string>()));
        }

        private List<string> Messages() => [.. Receiver.Requests.Select(r => r.Json["message"]!.GetValue<string>())];
    }

    /// <summary>A new identity with a linked device and a webhook receiving its messages.</summary>
    private async Task<Subscriber> SubscribeAsync()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var receiver = await WebhookReceiver.StartAsync();
        await app.CreateWebhookAsync(token, receiver.Url);
        var device = await app.LinkDeviceAsync(token);
        return new Subscriber(await app.IdentityIdOfAsync(token), device, receiver);
    }

    /// <summary>The replica syncing the subscriber's identity, and the name it holds the lease under.</summary>
    private async Task<(Replica Replica, string Name)> HolderOfAsync(Subscriber subscriber)
    {
        var holder = await Eventually.ValueAsync(async () => (await HoldersAsync()).GetValueOrDefault(subscriber.IdentityId),
            h => h is not null && app.ReplicasOf("syncworker").Any(r => r.Runs(ProcessOf(h))), Takeover, h => $"held by {h}");
        return (app.ReplicasOf("syncworker").Single(r => r.Runs(ProcessOf(holder!))), holder!);
    }

    private async Task RestartAndRebalanceAsync(Replica stopped)
    {
        await app.StartAsync(stopped);
        await Eventually.HoldsAsync(async () => (await HoldersAsync()).Values.Distinct().Count() == 2, Takeover,
            () => "the restarted replica never took a share");
    }

    /// <summary>Identity → the replica holding its lease, while that replica is seen within a lease.</summary>
    private async Task<Dictionary<int, string>> HoldersAsync()
    {
        await using var db = app.OpenDb();
        var seenSince = DateTime.UtcNow - GatewayApp.LeaseDuration;
        return await db.MatrixIdentities
            .Where(i => i.SyncLeaseHolder != null && db.SyncWorkers.Any(w => w.Name == i.SyncLeaseHolder && w.SeenAt > seenSince))
            .ToDictionaryAsync(i => i.Id, i => i.SyncLeaseHolder!);
    }

    private int IdentityCount()
    {
        using var db = app.OpenDb();
        return db.MatrixIdentities.Count();
    }

    /// <summary>The room stream position of the identity's stored sync token (<c>s123_…</c>).</summary>
    private async Task<long> SyncPositionAsync(Subscriber subscriber)
    {
        await using var db = app.OpenDb();
        var token = await db.MatrixIdentities.Where(i => i.Id == subscriber.IdentityId).Select(i => i.SyncToken).SingleAsync();
        return long.Parse(StreamPosition().Match(token!).Groups[1].Value);
    }

    private static int ProcessOf(string holder) => int.Parse(holder.Split(':')[1]);

    private static string Describe(Dictionary<int, string> holders) =>
        string.Join(", ", holders.Select(h => $"{h.Key}→{ProcessOf(h.Value)}"));

    [GeneratedRegex(@"^s(\d+)")]
    private static partial Regex StreamPosition();
}
