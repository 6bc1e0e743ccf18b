using System.Security.Claims;
using Gateway.Api.Auth;
using Gateway.Api.Bridges;
using Gateway.Api.Errors;
using Gateway.Api.Features.Docs;
using Gateway.Api.Matrix;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Features.Messages;

/// <summary>
/// What the caller does with a message of one of its device's chats (docs/api.md#message-actions): react to it, edit or
/// delete one it sent, mark the chat read up to it, and ask what became of one it sent. Each action is a Matrix event the
/// bridge takes to the network, under the device's send rate limit.
/// </summary>
public static class MessageActionsApi
{
    private const string NotFound = "Message not found";

    public static RouteGroupBuilder MapMessageActionsApi(this IEndpointRouteBuilder routes)
    {
        var message = routes.MapGroup("/api/v1/devices/{deviceId}/messages/{messageId}").WithTags("Messages").RequireMatrixToken();
        message.MapGet("/", GetStatus)
            .ProducesErrors(StatusCodes.Status404NotFound)
            .WithName("getMessageStatus").WithSummary("What became of a sent message")
            .WithExample(null, MessageExamples.Status)
            .WithDescription("The latest status of a message this device sent through the API: pending (the homeserver has it, the "
                + "bridge has not said more yet), sent, delivered, read or failed (with the bridge's words in error), and the chat it went to.");
        message.MapPost("/reactions", React)
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status429TooManyRequests,
                StatusCodes.Status502BadGateway)
            .WithName("reactToMessage").WithSummary("React to a message")
            .WithExample(MessageExamples.React, MessageExamples.Reacted)
            .WithDescription("One emoji on any message of the chat; it replaces the caller's earlier reaction there (the network keeps one), "
                + "and `\"\"` takes it back.");
        message.MapPut("/", Edit)
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status429TooManyRequests, StatusCodes.Status502BadGateway)
            .WithName("editMessage").WithSummary("Edit a sent message")
            .WithExample(MessageExamples.Edit, MessageExamples.Edited)
            .WithDescription("New text for a message this device sent through the API, within the network's edit window (15 minutes on WhatsApp).");
        message.MapDelete("/", Delete)
            .ProducesErrors(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status429TooManyRequests,
                StatusCodes.Status502BadGateway)
            .WithName("deleteMessage").WithSummary("Delete a sent message for everyone")
            .WithExample(null, MessageExamples.Deleted)
            .WithDescription("Deletes for everyone a message this device sent through the API, within the network's window (2 days on WhatsApp).");
        message.MapPost("/read", MarkRead)
            .ProducesErrors(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status429TooManyRequests, StatusCodes.Status502BadGateway)
            .WithName("markMessageRead").WithSummary("Mark the chat read up to a message")
            .WithExample(null, MessageExamples.Read)
            .WithDescription("A read receipt on the message: the contact sees it read (blue ticks), and everything before it.");
        return message;
    }

    /// <summary>What every action needs besides its request.</summary>
    public sealed record ActionServices(ChatMessages Messages, SendPermits Permits, MatrixSessions Sessions, MatrixClient Matrix,
        IOptions<MessageActionOptions> Options, TimeProvider Clock, ILoggerFactory Logs);

    private static async Task<Results<Ok<MessageStatusView>, ProblemHttpResult>> GetStatus(
        string deviceId, string messageId, ClaimsPrincipal user, GatewayDb db, LinkedDevices devices, CancellationToken cancellationToken)
    {
        var identityId = user.MatrixIdentityId();
        var sent = await db.SentMessages.AsNoTracking()
            .Where(m => m.IdentityId == identityId && m.DeviceId == deviceId && m.EventId == messageId)
            .FirstOrDefaultAsync(cancellationToken);
        // As ChatMessages finds a message: of a device the identity still has.
        if (sent is null || await devices.StatusAsync(identityId, sent.Platform, deviceId, cancellationToken) is null)
        {
            return ApiProblems.NotFound(NotFound);
        }
        var chat = await db.Portals.AsNoTracking()
            .Where(p => p.IdentityId == identityId && p.RoomId == sent.RoomId)
            .Select(p => new ChatView(p.Kind == BridgeRoomKind.Group ? "group" : "contact", p.ChatId))
            .FirstOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(new MessageStatusView(sent.EventId, sent.DeviceId, chat, sent.Recipient, sent.Status, sent.Error, sent.SentAt, sent.UpdatedAt));
    }

    private static Task<Results<Ok<MessageActionDone>, ProblemHttpResult>> React(string deviceId, string messageId, ReactionRequest request,
        ClaimsPrincipal user, HttpResponse response, [AsParameters] ActionServices services, CancellationToken cancellationToken) =>
        ActAsync(user, deviceId, messageId, response, services, request.Problem, message => null, async (session, message) =>
        {
            var reactions = await services.Matrix.RelationsAsync(session.AccessToken, message.RoomId, message.EventId, "m.annotation", "m.reaction", cancellationToken);
            var mine = reactions.Where(r => EventJson.String(r?["sender"]) == session.UserId).ToList();
            if (request.Reaction == "")
            {
                // Every one of them: a reaction sent twice by a client that retried is taken back whole.
                foreach (var reaction in mine)
                {
                    await services.Matrix.RedactAsync(session.AccessToken, message.RoomId, EventJson.String(reaction!["event_id"])!, NewTransaction(), cancellationToken);
                }
                return new MessageActionDone(mine.Count > 0 ? "Reaction removed" : "No reaction to remove");
            }
            if (mine.FirstOrDefault(r => EventJson.String(EventJson.At(r, "content", "m.relates_to", "key")) == request.Reaction) is { } same)
            {
                return new MessageActionDone("Reaction sent", EventJson.String(same["event_id"])); // the homeserver refuses the same one twice
            }
            // The bridge takes a new reaction as replacing the earlier one, and redacts that itself (bridgev2 MaxReactions 1).
            var eventId = await services.Matrix.SendEventAsync(session.AccessToken, message.RoomId, "m.reaction",
                MessageContent.Reaction(message.EventId, request.Reaction!), NewTransaction(), cancellationToken);
            return new MessageActionDone("Reaction sent", eventId);
        }, cancellationToken);

    private static Task<Results<Ok<MessageActionDone>, ProblemHttpResult>> Edit(string deviceId, string messageId, EditRequest request,
        ClaimsPrincipal user, HttpResponse response, [AsParameters] ActionServices services, CancellationToken cancellationToken) =>
        ActAsync(user, deviceId, messageId, response, services, request.Problem,
            message => !message.Own ? ApiProblems.Forbidden("Only your own messages can be edited")
                : services.Clock.GetUtcNow().UtcDateTime - message.SentAt > services.Options.Value.EditWindow
                    ? ApiProblems.Conflict($"The edit window has passed: messages can be edited for {Span(services.Options.Value.EditWindow)} after they are sent")
                : null,
            async (session, message) => new MessageActionDone("Message edited", await services.Matrix.SendMessageAsync(session.AccessToken, message.RoomId,
                MessageContent.Edit(message.EventId, request.Text!), NewTransaction(), cancellationToken)),
            cancellationToken);

    private static Task<Results<Ok<MessageActionDone>, ProblemHttpResult>> Delete(string deviceId, string messageId,
        ClaimsPrincipal user, HttpResponse response, [AsParameters] ActionServices services, CancellationToken cancellationToken) =>
        ActAsync(user, deviceId, messageId, response, services, null,
            message => !message.Own ? ApiProblems.Forbidden("Only your own messages can be deleted")
                : services.Clock.GetUtcNow().UtcDateTime - message.SentAt > services.Options.Value.DeleteWindow
                    ? ApiProblems.Conflict($"Too late to delete for everyone: messages can be deleted for {Span(services.Options.Value.DeleteWindow)} after they are sent")
                : null,
            async (session, message) => new MessageActionDone("Message deleted",
                await services.Matrix.RedactAsync(session.AccessToken, message.RoomId, message.EventId, NewTransaction(), cancellationToken)),
            cancellationToken);

    private static Task<Results<Ok<MessageActionDone>, ProblemHttpResult>> MarkRead(string deviceId, string messageId,
        ClaimsPrincipal user, HttpResponse response, [AsParameters] ActionServices services, CancellationToken cancellationToken) =>
        ActAsync(user, deviceId, messageId, response, services, null, message => null, async (session, message) =>
        {
            await services.Matrix.SendReadReceiptAsync(session.AccessToken, message.RoomId, message.EventId, cancellationToken);
            return new MessageActionDone("Chat marked read");
        }, cancellationToken);

    /// <summary>
    /// An action's steps, each answering before the next: the message (404), the request (400), what the message allows
    /// (403, 409), the device and its send rate (404, 409, 429); then the Matrix event, or the homeserver's refusal (502).
    /// </summary>
    private static async Task<Results<Ok<MessageActionDone>, ProblemHttpResult>> ActAsync(ClaimsPrincipal user, string deviceId, string messageId,
        HttpResponse response, ActionServices services, string? requestProblem, Func<ChatMessage, ProblemHttpResult?> allowed,
        Func<MatrixSession, ChatMessage, Task<MessageActionDone>> act, CancellationToken cancellationToken)
    {
        var identityId = user.MatrixIdentityId();
        if (await services.Messages.FindAsync(identityId, deviceId, messageId, cancellationToken) is not { } message)
        {
            return ApiProblems.NotFound(NotFound);
        }
        if (requestProblem is not null)
        {
            return ApiProblems.BadRequest(requestProblem);
        }
        if ((allowed(message) ?? await services.Permits.RefusalAsync(identityId, message.Platform, deviceId, 1, response, cancellationToken)) is { } refusal)
        {
            return refusal;
        }
        var session = await services.Sessions.ForIdentityAsync(identityId, cancellationToken);
        try
        {
            return TypedResults.Ok(await act(session, message));
        }
        catch (MatrixException refused)
        {
            services.Logs.CreateLogger(typeof(MessageActionsApi)).LogWarning(refused, "The homeserver refused an action on {EventId}", messageId);
            return ApiProblems.Problem(StatusCodes.Status502BadGateway, $"The homeserver refused the action ({refused.ErrorCode ?? ((int)refused.Status).ToString()})");
        }
    }

    private static string NewTransaction() => Guid.NewGuid().ToString("N");

    private static string Span(TimeSpan window) =>
        window.TotalDays >= 1 ? FormattableString.Invariant($"{window.TotalDays:0.#} days")
        : window.TotalMinutes >= 1 ? FormattableString.Invariant($"{window.TotalMinutes:0.#} minutes")
        : FormattableString.Invariant($"{window.TotalSeconds:0} seconds");
}

/// <summary><c>Messages:EditWindowSeconds</c> and <c>Messages:DeleteWindowSeconds</c>: the network's windows (WhatsApp's by default).</summary>
public sealed class MessageActionOptions
{
    public int EditWindowSeconds { get; set; } = 15 * 60;
    public int DeleteWindowSeconds { get; set; } = 2 * 24 * 60 * 60;

    public TimeSpan EditWindow => TimeSpan.FromSeconds(EditWindowSeconds);
    public TimeSpan DeleteWindow => TimeSpan.FromSeconds(DeleteWindowSeconds);
}
