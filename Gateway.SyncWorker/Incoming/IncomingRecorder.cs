using System.Collections.Concurrent;
using Gateway.Shared.Matrix;
using Gateway.SyncWorker.Delivery;
using Npgsql;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// Stores a batch's incoming messages one by one (docs/api.md#limits). A message whose own storing fails is tried again
/// with its batch; after <see cref="MaxTries"/> it goes without its file if the file was the trouble, and otherwise is
/// recorded as failed, so one bad message cannot stop the identity's inbound for good. An outage (homeserver or
/// database unreachable) is no fault of the message and is waited out however long it lasts: nothing is given up for it.
/// </summary>
public sealed class IncomingRecorder(IncomingMessages messages, WebhookOutbox outbox, IncomingTries tries, ILogger<IncomingRecorder> logger)
{
    public const int MaxTries = 5;

    public async Task RecordAsync(MatrixSession identity, IncomingMessage message, CancellationToken cancellationToken)
    {
        var lastTry = tries.Of(message.EventId) >= MaxTries - 1;
        try
        {
            var payload = await messages.PayloadAsync(identity, message, withoutFileOnError: lastTry, cancellationToken);
            await outbox.RecordAsync(identity, message, payload, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && !IsOutage(e))
        {
            if (!lastTry)
            {
                tries.Failed(message.EventId);
                throw;
            }
            logger.LogError(e, "Incoming message {EventId} of {UserId} could not be stored after {Tries} tries; recorded as failed",
                message.EventId, identity.UserId, MaxTries);
            await outbox.RecordFailedAsync(identity, message, "The gateway could not store this message", cancellationToken);
        }
        tries.Forget(message.EventId);
    }

    private static bool IsOutage(Exception e) =>
        e is HttpRequestException or TimeoutException or OperationCanceledException or NpgsqlException { IsTransient: true };
}

/// <summary>How often each message's storing has failed, across its batch's retries (a worker restart starts afresh).</summary>
public sealed class IncomingTries
{
    private readonly ConcurrentDictionary<string, int> failures = new();

    public int Of(string eventId) => failures.GetValueOrDefault(eventId);

    public void Failed(string eventId) => failures.AddOrUpdate(eventId, 1, (_, count) => count + 1);

    public void Forget(string eventId) => failures.TryRemove(eventId, out _);
}
