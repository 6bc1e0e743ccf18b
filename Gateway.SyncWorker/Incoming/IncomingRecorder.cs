using System.Collections.Concurrent;
using System.Diagnostics;
using Gateway.Shared.Data;
using Gateway.Shared.Events;
using Gateway.Shared.Matrix;
using Gateway.SyncWorker.Delivery;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// Stores a batch's events for their webhooks (docs/api.md#limits): a run of events without files together, in one
/// transaction, so a burst costs one commit and not one per event; a message with a file alone, its file downloaded
/// outside any transaction. When a run cannot be stored, its events are stored one by one, and an event whose own
/// storing fails is tried again with its batch; on its last try (<see cref="IncomingOptions.MaxTries"/>) a message goes
/// without its file if the file was the trouble, and otherwise the event is recorded as failed, so one bad event
/// cannot stop the identity's inbound for good. An outage (homeserver or database unreachable) is no fault of the
/// event and is waited out however long it lasts: nothing is given up for it.
/// </summary>
public sealed class IncomingRecorder(
    GatewayDb db, IncomingMedia media, WebhookOutbox outbox, IncomingTries tries, WorkerTelemetry telemetry, TimeProvider clock,
    IOptions<IncomingOptions> options, ILogger<IncomingRecorder> logger)
{
    /// <summary>Stores a run of events together (see <see cref="IncomingRuns"/>), or each alone if that fails.</summary>
    public async Task RecordAsync(MatrixSession identity, IReadOnlyList<IncomingEvent> run, ActivityContext batch, CancellationToken cancellationToken)
    {
        if (run.Count > 1 && run.All(e => tries.Of(identity, e) == 0))
        {
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                foreach (var incoming in run)
                {
                    using var activity = StartTrace(identity, incoming, batch);
                    await StoreAsync(identity, incoming, lastTry: false, cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
                foreach (var incoming in run)
                {
                    telemetry.Stored(incoming.Kind);
                }
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && !IsOutage(e))
            {
                logger.LogWarning(e, "A run of {Count} incoming events of {UserId} could not be stored together; storing each alone", run.Count, identity.UserId);
                db.ChangeTracker.Clear();
            }
        }
        foreach (var incoming in run)
        {
            await RecordAsync(identity, incoming, batch, cancellationToken);
        }
    }

    private async Task RecordAsync(MatrixSession identity, IncomingEvent incoming, ActivityContext batch, CancellationToken cancellationToken)
    {
        using var activity = StartTrace(identity, incoming, batch);
        var lastTry = tries.Of(identity, incoming) >= options.Value.MaxTries - 1;
        try
        {
            await StoreAsync(identity, incoming, lastTry, cancellationToken);
            telemetry.Stored(incoming.Kind);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && !IsOutage(e))
        {
            db.ChangeTracker.Clear();
            if (!lastTry)
            {
                tries.Failed(identity, incoming);
                throw;
            }
            logger.LogError(e, "Incoming event {Id} of {UserId} could not be stored after {Tries} tries; recorded as failed",
                incoming.Id, identity.UserId, options.Value.MaxTries);
            activity?.SetStatus(ActivityStatusCode.Error, "could not be stored");
            await outbox.RecordFailedAsync(identity.IdentityId, new OutboxEvent(incoming.Kind, incoming.Id, incoming.RoomId, []),
                "The gateway could not store this event", cancellationToken);
        }
        tries.Forget(identity, incoming);
    }

    /// <summary>The event's own trace (its deliveries continue it), linked to the batch that brought it.</summary>
    private static Activity? StartTrace(MatrixSession identity, IncomingEvent incoming, ActivityContext batch)
    {
        Activity.Current = null; // a root, not a child of the batch: each event's trace ends at its webhooks
        var activity = WorkerTelemetry.Traces.StartActivity($"incoming {incoming.Kind}", ActivityKind.Consumer, parentContext: default,
            links: batch == default ? null : [new ActivityLink(batch)]);
        activity?.SetTag("gateway.identity.id", identity.IdentityId);
        activity?.SetTag("gateway.event.id", incoming.Id);
        return activity;
    }

    private async Task StoreAsync(MatrixSession identity, IncomingEvent incoming, bool lastTry, CancellationToken cancellationToken)
    {
        if (incoming.Step is { } step)
        {
            await RecordStepAsync(identity, incoming, step, cancellationToken);
            return;
        }
        if (incoming.Received is { } chat) // before its webhooks hear of it, so whatever they do with it finds it
        {
            await db.RecordReceivedMessageAsync(identity.IdentityId, incoming.Id, chat.Platform, chat.DeviceId, incoming.RoomId, chat.At, cancellationToken);
        }
        await outbox.RecordAsync(identity.IdentityId, await ReadyAsync(identity, incoming, lastTry, cancellationToken), cancellationToken);
    }

    /// <summary>The event's body; a message's file is downloaded now, so one file at a time is in memory.</summary>
    private async Task<OutboxEvent> ReadyAsync(MatrixSession identity, IncomingEvent incoming, bool lastTry, CancellationToken cancellationToken)
    {
        var payload = incoming is { Payload: MessagePayload message, File: { } file }
            ? message with { Media = await media.OfAsync(identity, file, withoutFileOnError: lastTry, cancellationToken) }
            : incoming.Payload;
        return new OutboxEvent(incoming.Kind, incoming.Id, incoming.RoomId, OutboxEvent.Serialize(payload));
    }

    /// <summary>
    /// A status is told only when it moves its message on (<see cref="MessageStatuses.MovesTo"/>): the step and its
    /// event are stored together, so a replayed batch, or a status the bridge reports twice, tells nothing again.
    /// </summary>
    private async Task RecordStepAsync(MatrixSession identity, IncomingEvent incoming, StatusStep step, CancellationToken cancellationToken)
    {
        // Within its run's transaction when it is stored with others; otherwise in its own.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var message = await db.SentMessages
            .FromSql($"SELECT * FROM sent_messages WHERE identity_id = {identity.IdentityId} AND event_id = {step.MessageId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (message is null || !MessageStatuses.MovesTo(message.Status, step.Status)) // null: no message (a reaction, say), or its identity is being retired
        {
            return; // or it has gone that far already
        }
        (message.Status, message.Error, message.UpdatedAt) = (step.Status, step.Error, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        var payload = (StatusPayload)incoming.Payload with { Recipient = message.Recipient };
        await outbox.RecordAsync(identity.IdentityId, new OutboxEvent(incoming.Kind, incoming.Id, incoming.RoomId, OutboxEvent.Serialize(payload)), cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static bool IsOutage(Exception e) =>
        e is HttpRequestException or TimeoutException or OperationCanceledException or NpgsqlException { IsTransient: true };
}

/// <summary>
/// How often each identity's storing of each event has failed, across its batch's retries (a worker restart starts
/// afresh). Per identity: two identities in one group see the same event, and each stores its own.
/// </summary>
public sealed class IncomingTries
{
    private readonly ConcurrentDictionary<(int IdentityId, string EventId), int> failures = new();

    public int Of(MatrixSession identity, IncomingEvent incoming) => failures.GetValueOrDefault((identity.IdentityId, incoming.Id));

    public void Failed(MatrixSession identity, IncomingEvent incoming) =>
        failures.AddOrUpdate((identity.IdentityId, incoming.Id), 1, (_, count) => count + 1);

    public void Forget(MatrixSession identity, IncomingEvent incoming) => failures.TryRemove((identity.IdentityId, incoming.Id), out _);
}

/// <summary>
/// How a batch's events are stored (<see cref="IncomingRecorder"/>), in their order: a message with a file alone (its
/// download must not hold a transaction open, nor more than one file be in memory), the events between together.
/// </summary>
public static class IncomingRuns
{
    public static IEnumerable<IReadOnlyList<IncomingEvent>> Of(IEnumerable<IncomingEvent> events)
    {
        List<IncomingEvent> run = [];
        foreach (var incoming in events)
        {
            if (incoming.File is null)
            {
                run.Add(incoming);
                continue;
            }
            if (run.Count > 0)
            {
                yield return run;
                run = [];
            }
            yield return [incoming];
        }
        if (run.Count > 0)
        {
            yield return run;
        }
    }
}
