using System.Text.Json.Nodes;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Gateway.SyncWorker.Bridges;
using Gateway.SyncWorker.Delivery;
using Gateway.SyncWorker.Incoming;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.SyncWorker.Sync;

/// <summary>
/// Handles one /sync batch of an identity: joins invites from bridge bots and ghosts on its own server (and nobody else),
/// recording each portal by its <c>m.bridge</c> chat id and receiver (whether the gateway asked for it or not), passes
/// bot messages in management rooms to <see cref="BotMessages"/>, hands the portal rooms to <see cref="IncomingEvents"/> and
/// records what they make for the webhooks in runs (<see cref="IncomingRecorder"/>), then stores the batch's
/// <c>next_batch</c> if its lease is still held.
/// </summary>
public sealed class SyncBatchHandler(
    GatewayDb db, MatrixClient matrix, BotMessages botMessages, IncomingEvents incomingEvents, IncomingRecorder recorder, WebhookOutbox outbox,
    IOptions<BridgeOptions> bridges, ILogger<SyncBatchHandler> logger)
{
    public async Task HandleAsync(MatrixSession identity, SyncLease lease, JsonNode batch, string? since, string nextBatch, CancellationToken cancellationToken)
    {
        lease.EnsureHeld();
        var bridgeUsers = new BridgeUsers([.. bridges.Value.All().Values], identity.Server);
        var rooms = batch["rooms"];
        // Only a batch that brought something: an idle identity's empty answers every long-poll are no story.
        using var activity = IsEmpty(batch) ? null : WorkerTelemetry.Traces.StartActivity("sync batch");
        activity?.SetTag("gateway.identity.id", identity.IdentityId);

        foreach (var (roomId, room) in rooms?["invite"]?.AsObject() ?? [])
        {
            var inviter = InviterOf(room!, identity.UserId);
            if (bridgeUsers.PlatformOf(inviter) is not { } platform)
            {
                logger.LogWarning("Ignoring an invite to {RoomId} from {Inviter}: not a bridge's bot or ghost on {Server}", roomId, inviter, identity.Server);
                continue;
            }
            await JoinPortalAsync(identity, platform, bridgeUsers, roomId, cancellationToken);
        }

        var joined = rooms?["join"]?.AsObject();
        List<IncomingEvent> incoming = [];
        if (joined is { Count: > 0 })
        {
            var managementRooms = await db.BridgeRooms.AsNoTracking()
                .Where(r => r.IdentityId == identity.IdentityId && r.Kind == BridgeRoomKind.Management)
                .ToDictionaryAsync(r => r.RoomId, r => r.Platform, cancellationToken);
            // The bot's messages first: a device linked in this batch is the identity's before its messages are read.
            foreach (var (roomId, room) in joined)
            {
                if (!managementRooms.TryGetValue(roomId, out var platformKey) || bridges.Value.All().GetValueOrDefault(platformKey) is not { } platform)
                {
                    continue;
                }
                var bot = platform.BotUserId(identity.Server);
                foreach (var message in room?["timeline"]?["events"]?.AsArray() ?? [])
                {
                    if (EventJson.String(message?["type"]) == "m.room.message" && EventJson.String(message!["sender"]) == bot)
                    {
                        await botMessages.HandleAsync(identity, platform, roomId, message, cancellationToken);
                    }
                }
            }
            incoming = await incomingEvents.CollectAsync(identity, bridgeUsers, joined, managementRooms.Keys.ToHashSet(), since, cancellationToken);
        }

        activity?.SetTag("gateway.events", incoming.Count);
        foreach (var run in IncomingRuns.Of(incoming))
        {
            lease.EnsureHeld(); // a slow batch (large files) may outlast the lease
            await recorder.RecordAsync(identity, run, activity?.Context ?? default, cancellationToken);
            await outbox.AnnounceAsync(); // each run goes out as soon as it is stored, not after the batch's last file
        }
        await CommitSyncTokenAsync(identity, lease, nextBatch, cancellationToken);
    }

    /// <summary>
    /// Whether a batch holds nothing this handler acts on: no invite, no joined room with news. Replaying from before
    /// such a batch finds nothing either, so its token need not be stored at once (<see cref="SyncLoop"/>).
    /// </summary>
    public static bool IsEmpty(JsonNode batch) =>
        batch["rooms"]?["invite"] is not JsonObject { Count: > 0 } && batch["rooms"]?["join"] is not JsonObject { Count: > 0 };

    /// <summary>
    /// Stores the batch's <c>next_batch</c>, once all its events are recorded: the batch is handled. Only under the
    /// lease's fence: a replica that lost the identity (however long it was paused) cannot move its sync token.
    /// </summary>
    private async Task CommitSyncTokenAsync(MatrixSession identity, SyncLease lease, string nextBatch, CancellationToken cancellationToken)
    {
        var stored = await db.MatrixIdentities
            .Where(i => i.Id == identity.IdentityId && i.SyncLeaseHolder == lease.Holder && i.SyncLeaseFence == lease.Fence)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.SyncToken, nextBatch), cancellationToken);
        if (stored == 0)
        {
            throw new SyncLeaseLostException(lease.IdentityId);
        }
    }

    private async Task JoinPortalAsync(MatrixSession identity, BridgePlatform platform, BridgeUsers bridgeUsers, string roomId, CancellationToken cancellationToken)
    {
        try
        {
            await matrix.JoinAsync(identity.AccessToken, roomId, cancellationToken);
        }
        catch (MatrixException e) when ((int)e.Status is 403 or 404)
        {
            logger.LogWarning("Could not join {RoomId}: {Error}", roomId, e.Message); // withdrawn invite: nothing to retry
            return;
        }
        var state = await matrix.RoomStateAsync(identity.AccessToken, roomId, cancellationToken);
        var bridgeState = bridgeUsers.TrustedBridgeState(state);
        var chatId = EventJson.String(EventJson.At(bridgeState, "channel", "id"));
        if (chatId is { Length: > 0 })
        {
            // Before the notice: a request that hears of the join, or finds the portal, then finds it recorded.
            var receiver = EventJson.String(EventJson.At(bridgeState, "channel", "fi.mau.receiver")) ?? "";
            var kind = EventJson.String(bridgeState?["com.beeper.room_type"]) == "dm" ? BridgeRoomKind.Contact : BridgeRoomKind.Group;
            await db.RecordChatPortalAsync(identity.IdentityId, platform.Key, receiver, chatId, kind, roomId, DateTime.UtcNow, cancellationToken);
        }
        await botMessages.PortalJoinedAsync(identity, platform, roomId, chatId);
    }

    private static string? InviterOf(JsonNode room, string userId) =>
        EventJson.String((room["invite_state"]?["events"] as JsonArray ?? [])
            .FirstOrDefault(e => EventJson.String(e?["type"]) == "m.room.member" && EventJson.String(e!["state_key"]) == userId)
            ?["sender"]);
}
