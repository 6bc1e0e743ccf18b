using Gateway.Sandbox.Bridge;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Sandbox.Control;

/// <summary>
/// After a message: what a contact does (reads, reacts, edits or deletes its own) and what the network says about a
/// message the user sent (delivered, or refused). Part of the control API (see ControlApi).
/// </summary>
public static class ChatEventsApi
{
    public const string DefaultRefusal = "The recipient's phone refused the message";

    public static RouteGroupBuilder MapChatEventsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/read", Read);
        api.MapPost("/react", React);
        api.MapPost("/edit", Edit);
        api.MapPost("/delete", Delete);
        api.MapPost("/delivery", Delivery);
        return api;
    }

    /// <summary>The contact (or group member) reads the chat up to the newest message the user sent there.</summary>
    private static async Task<Results<Ok<ReadSent>, BadRequest<ControlError>, NotFound<ControlError>, Conflict<ControlError>>> Read(
        ReadRequest request, Bridges bridges, CancellationToken cancellationToken)
    {
        var (chat, error) = await new ContactChatRef(request.Platform, request.DeviceId, request.From, request.Group).ResolveAsync(bridges);
        if (chat is null)
        {
            return Refuse<ReadSent>(error!);
        }
        return await ContactActions.ReadAsync(chat, cancellationToken) is { } read
            ? TypedResults.Ok(new ReadSent(read, chat.Portal.RoomId))
            : TypedResults.NotFound(new ControlError($"The user sent nothing in chat {chat.Portal.ChatId} to read"));
    }

    /// <summary>The contact reacts to any message of the chat, or takes its reaction back (<c>reaction: ""</c>).</summary>
    private static async Task<Results<Ok<ChatEventSent>, BadRequest<ControlError>, NotFound<ControlError>, Conflict<ControlError>>> React(
        ReactRequest request, Bridges bridges, CancellationToken cancellationToken)
    {
        if (request.Reaction is null)
        {
            return TypedResults.BadRequest(new ControlError("Missing required field: reaction"));
        }
        var (chat, error) = await TargetAsync(new ContactChatRef(request.Platform, request.DeviceId, request.From, request.Group),
            request.EventId, bridges, cancellationToken);
        if (chat is null)
        {
            return Refuse<ChatEventSent>(error!);
        }
        return await ContactActions.ReactAsync(chat, request.EventId!, request.Reaction, cancellationToken) is { } sent
            ? TypedResults.Ok(new ChatEventSent(sent))
            : TypedResults.NotFound(new ControlError($"+{chat.Digits} has no reaction to {request.EventId} to take back"));
    }

    /// <summary>The contact edits a message of its own.</summary>
    private static async Task<Results<Ok<ChatEventSent>, BadRequest<ControlError>, NotFound<ControlError>, Conflict<ControlError>>> Edit(
        EditRequest request, Bridges bridges, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Text))
        {
            return TypedResults.BadRequest(new ControlError("Missing required field: text"));
        }
        var (chat, error) = await TargetAsync(new ContactChatRef(request.Platform, request.DeviceId, request.From, request.Group),
            request.EventId, bridges, cancellationToken, ownOnly: "Only the sender can edit a message");
        return chat is null
            ? Refuse<ChatEventSent>(error!)
            : TypedResults.Ok(new ChatEventSent(await ContactActions.EditAsync(chat, request.EventId!, request.Text, cancellationToken)));
    }

    /// <summary>The contact deletes a message of its own for everyone.</summary>
    private static async Task<Results<Ok<ChatEventSent>, BadRequest<ControlError>, NotFound<ControlError>, Conflict<ControlError>>> Delete(
        DeleteRequest request, Bridges bridges, CancellationToken cancellationToken)
    {
        var (chat, error) = await TargetAsync(new ContactChatRef(request.Platform, request.DeviceId, request.From, request.Group),
            request.EventId, bridges, cancellationToken, ownOnly: "Only the sender can delete a message");
        return chat is null
            ? Refuse<ChatEventSent>(error!)
            : TypedResults.Ok(new ChatEventSent(await ContactActions.DeleteAsync(chat, request.EventId!, cancellationToken)));
    }

    /// <summary>
    /// The network reports on a message the user sent: the contact's phone has it (a delivery receipt, which WhatsApp
    /// sends in direct chats only), or refused it.
    /// </summary>
    private static async Task<Results<Ok<DeliveryReported>, BadRequest<ControlError>, NotFound<ControlError>, Conflict<ControlError>>> Delivery(
        DeliveryRequest request, Bridges bridges)
    {
        if (bridges.Find(request.Platform) is not { } bridge)
        {
            return TypedResults.NotFound(new ControlError($"Platform not enabled: {request.Platform}"));
        }
        if (string.IsNullOrWhiteSpace(request.DeviceId))
        {
            return TypedResults.BadRequest(new ControlError("Missing required field: device_id"));
        }
        if (string.IsNullOrWhiteSpace(request.EventId))
        {
            return TypedResults.BadRequest(new ControlError("Missing required field: event_id"));
        }
        if (request.Status is not ("delivered" or "failed"))
        {
            return TypedResults.BadRequest(new ControlError($"status must be delivered or failed, not {request.Status}"));
        }
        if (bridge.Logins.Find(PhoneNumbers.Normalise(request.DeviceId) ?? request.DeviceId.Trim()) is not { } login)
        {
            return TypedResults.NotFound(new ControlError($"No linked device {request.DeviceId} on {bridge.Platform.Name}"));
        }
        if (bridge.Sent.Find(login.DeviceId, request.EventId.Trim()) is not { } sent || bridge.Portals.ByRoom(sent.RoomId) is not { } portal)
        {
            return TypedResults.NotFound(new ControlError($"Device {login.DeviceId} sent no event {request.EventId}"));
        }
        if (request.Status == "failed")
        {
            var reason = string.IsNullOrWhiteSpace(request.Reason) ? DefaultRefusal : request.Reason.Trim();
            await bridge.Statuses.FailedAsync(StatusTarget.Of(sent), MessageStatuses.Fail, MessageStatuses.NetworkError, reason);
        }
        else if (portal.Kind == ChatKind.Group)
        {
            return TypedResults.Conflict(new ControlError("Delivery receipts come only in direct chats"));
        }
        else
        {
            await bridge.Statuses.DeliveredAsync(StatusTarget.Of(sent), bridge.Platform.ContactGhostUserId(portal.RemoteId));
        }
        return TypedResults.Ok(new DeliveryReported(sent.EventId, sent.RoomId, request.Status));
    }

    /// <summary>The contact's chat and an event in it, which must be the contact's own when <paramref name="ownOnly"/> (the refusal) is given.</summary>
    private static async Task<(ContactInChat? Chat, ChatEventError? Error)> TargetAsync(ContactChatRef chatRef, string? eventId, Bridges bridges,
        CancellationToken cancellationToken, string? ownOnly = null)
    {
        if (string.IsNullOrWhiteSpace(eventId))
        {
            return (null, new(400, "Missing required field: event_id"));
        }
        var (chat, error) = await chatRef.ResolveAsync(bridges);
        if (chat is null)
        {
            return (null, error);
        }
        var sender = await ContactActions.SenderOfAsync(chat, eventId, cancellationToken);
        return sender is null ? (null, new(404, $"No event {eventId} in chat {chat.Portal.ChatId}"))
            : ownOnly is not null && sender != chat.Ghost ? (null, new(409, ownOnly))
            : (chat, null);
    }

    private static Results<Ok<T>, BadRequest<ControlError>, NotFound<ControlError>, Conflict<ControlError>> Refuse<T>(ChatEventError error) =>
        error.Status switch
        {
            400 => TypedResults.BadRequest(new ControlError(error.Error)),
            404 => TypedResults.NotFound(new ControlError(error.Error)),
            _ => TypedResults.Conflict(new ControlError(error.Error)),
        };
}
