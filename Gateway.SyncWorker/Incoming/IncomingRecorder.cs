using System.Collections.Concurrent;
using Gateway.Shared.Matrix;
using Gateway.SyncWorker.Delivery;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// Stores a batch's incoming messages one by one (docs/api.md#limits). A message whose own storing fails is tried again
/// with its batch; on its last try (<see cref="IncomingOptions.MaxTries"/>) it goes without its file if the file was
/// the trouble, and otherwise is recorded as failed, so one bad message cannot stop the identity's inbound for good.
/// An outage (homeserver or database unreachable) is no fault of the message and is waited out however long it lasts:
/// nothing is given up for it.
/// </summary>
public sealed class IncomingRecorder(
    IncomingMessages messages, WebhookOutbox outbox, IncomingTries tries, IOptions<IncomingOptions> options, ILogger<IncomingRecorder> logger)
{
    public async Task RecordAsync(MatrixSession identity, IncomingMessage message, CancellationToken cancellationToken)
    {
        var lastTry = tries.Of(identity, message) >= options.Value.MaxTries - 1;
        try
        {
            var payload = await messages.PayloadAsync(identity, message, withoutFileOnError: lastTry, cancellationToken);
            await outbox.RecordAsync(identity, message, payload, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && !IsOutage(e))
        {
            if (!lastTry)
            {
                tries.Failed(identity, message);
                throw;
            }
            logger.LogError(e, "Incoming message {EventId} of {UserId} could not be stored after {Tries} tries; recorded as failed",
                message.EventId, identity.UserId, options.Value.MaxTries);
            await outbox.RecordFailedAsync(identity, message, "The gateway could not store this message", cancellationToken);
        }
        tries.Forget(identity, message);
    }

    private static bool IsOutage(Exception e) =>
        e is HttpRequestException or TimeoutException or OperationCanceledException or NpgsqlException { IsTransient: true };
}

/// <summary>
/// How often each identity's storing of each message has failed, across its batch's retries (a worker restart starts
/// afresh). Per identity: two identities in one group see the same event, and each stores its own.
/// </summary>
public sealed class IncomingTries
{
    private readonly ConcurrentDictionary<(int IdentityId, string EventId), int> failures = new();

    public int Of(MatrixSession identity, IncomingMessage message) => failures.GetValueOrDefault((identity.IdentityId, message.EventId));

    public void Failed(MatrixSession identity, IncomingMessage message) =>
        failures.AddOrUpdate((identity.IdentityId, message.EventId), 1, (_, count) => count + 1);

    public void Forget(MatrixSession identity, IncomingMessage message) => failures.TryRemove((identity.IdentityId, message.EventId), out _);
}
