using System.Diagnostics;
using System.Text.Json.Nodes;
using Gateway.Api.Bridges;
using Gateway.Api.Errors;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;

namespace Gateway.Api.Features.Messages;

/// <summary>
/// Resolves each recipient to its portal room and sends the message there, one result per recipient. Each message sent
/// is recorded for its statuses (docs/api.md#events-on-webhooks) before its result is answered.
/// </summary>
public sealed class MessageSender(RecipientResolver resolver, MatrixClient matrix, GatewayDb db, ApiTelemetry telemetry, TimeProvider clock,
    ILogger<MessageSender> logger)
{
    /// <summary>A send as validated (<see cref="SendMessageRequest.Problem"/>): its recipients and what goes to each.</summary>
    public sealed record Outgoing(RecipientKind Kind, IReadOnlyList<string> Recipients, SendMessageRequest Request, OutgoingFile? File)
    {
        public bool Voice => Request.Voice == true;

        /// <summary>The event content for each recipient, the file (when there is one) uploaded already.</summary>
        public JsonObject Content(UploadedFile? uploaded)
        {
            var content = Request.Location is { } location ? MessageContent.Location(location)
                : uploaded is not null ? MessageContent.File(uploaded, Request.Text, Voice)
                : MessageContent.Text(Request.Text!);
            return Request.ReplyTo is { } replyId ? MessageContent.InReplyTo(content, replyId) : content;
        }
    }

    public async Task<List<RecipientResult>> SendAsync(MatrixSession session, BridgePlatform platform, string deviceId, Outgoing outgoing,
        CancellationToken cancellationToken)
    {
        var results = new List<RecipientResult>(outgoing.Recipients.Count);
        Task<UploadedFile>? upload = null;
        foreach (var recipient in outgoing.Recipients)
        {
            using var activity = ApiTelemetry.Traces.StartActivity("send message");
            activity?.SetTag("gateway.platform", platform.Key);
            activity?.SetTag("gateway.recipient.kind", outgoing.Kind.ToString());
            var result = await SendToAsync(recipient);
            results.Add(result);
            telemetry.Sent(platform.Key, result.Status == "sent");
            if (result.Status != "sent")
            {
                activity?.SetStatus(ActivityStatusCode.Error, result.Error);
            }
        }
        return results;

        async Task<RecipientResult> SendToAsync(string recipient)
        {
            try
            {
                var resolution = outgoing.Kind switch
                {
                    RecipientKind.GroupUrl => await resolver.GroupAsync(session, platform, deviceId, recipient, cancellationToken),
                    RecipientKind.GroupId => await resolver.ChatAsync(session, platform, deviceId, BridgeRoomKind.Group, recipient, cancellationToken),
                    _ when Recipients.IsChatId(recipient) => await resolver.ChatAsync(session, platform, deviceId, BridgeRoomKind.Contact, recipient, cancellationToken),
                    _ => await resolver.ContactAsync(session, platform, deviceId, recipient, cancellationToken),
                };
                if (resolution.RoomId is not { } roomId)
                {
                    return RecipientResult.Failed(recipient, resolution.Error!);
                }
                // The file goes to the media repository once, whatever the number of recipients: an upload refused
                // (too large for the homeserver, say) fails each of them rather than being made again for each.
                upload ??= outgoing.File?.UploadAsync(matrix, session.AccessToken, outgoing.Voice, cancellationToken);
                var content = outgoing.Content(upload is null ? null : await upload);
                var eventId = await matrix.SendMessageAsync(session.AccessToken, roomId, content, Guid.NewGuid().ToString("N"), cancellationToken);
                await RecordAsync(session, platform, deviceId, roomId, recipient, eventId);
                return RecipientResult.Sent(recipient, eventId);
            }
            // Earlier recipients may have the message already: whatever goes wrong is this recipient's result, never
            // the request's error, or the caller would send to them all again. Only a caller who left gets no answer.
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var expected = e is MatrixException or HttpRequestException or BridgeUnavailableException;
                logger.Log(expected ? LogLevel.Warning : LogLevel.Error, e, "Sending to a recipient failed");
                return RecipientResult.Failed(recipient, e switch
                {
                    MatrixException refused => $"The homeserver refused the message ({refused.ErrorCode ?? ((int)refused.Status).ToString()})",
                    BridgeUnavailableException => e.Message, // our own words
                    HttpRequestException => "The homeserver did not answer", // never a socket error's internals
                    _ => ApiProblems.Internal, // the database or Redis failed, or a bug: nothing internal leaks either
                });
            }
        }
    }

    // Sent is sent: a database that is slow or down may not turn it into a failure. The SyncWorker records the message
    // as well when it sees the message in the portal, so a record missed here only leaves GET /messages/{id} without it until then.
    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Records the message for its statuses, as the caller wrote its recipient.</summary>
    private async Task RecordAsync(MatrixSession session, BridgePlatform platform, string deviceId, string roomId, string recipient, string eventId)
    {
        using var timeout = new CancellationTokenSource(RecordTimeout);
        try
        {
            await db.RecordSentMessageAsync(session.IdentityId, eventId, platform.Key, deviceId, roomId, recipient, clock.GetUtcNow().UtcDateTime, timeout.Token);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Sent message {EventId} could not be recorded for its statuses; the SyncWorker records it", eventId);
        }
    }
}
