using System.Security.Claims;
using Gateway.Api.Auth;
using Gateway.Api.Errors;
using Gateway.Api.Features.Devices;
using Gateway.Api.Features.Docs;
using Gateway.Shared.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Features.Messages;

/// <summary>What became of a message sent through the API, as its last <c>message.status</c> event said.</summary>
public static class MessageStatusApi
{
    private const string NotFound = "Message not found";

    public static RouteHandlerBuilder MapMessageStatusApi(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/v1/devices/{deviceId}/messages/{messageId}", GetStatus)
            .RequireMatrixToken()
            .ProducesErrors(StatusCodes.Status404NotFound)
            .WithTags("Messages")
            .WithName("getMessageStatus").WithSummary("What became of a sent message")
            .WithExample(null, MessageExamples.Status)
            .WithDescription("The latest status of a message this device sent through the API: pending (the homeserver has it, the "
                + "bridge has not said more yet), sent, delivered, read or failed (with the bridge's words in error).");

    private static async Task<Results<Ok<MessageStatusView>, ProblemHttpResult>> GetStatus(
        string deviceId, string messageId, ClaimsPrincipal user, LinkedDevices devices, GatewayDb db, CancellationToken cancellationToken)
    {
        var identityId = user.MatrixIdentityId();
        if (await devices.StatusAsync(identityId, platform: null, deviceId, cancellationToken) is null)
        {
            return ApiProblems.NotFound("Device not found");
        }
        var message = await db.SentMessages.AsNoTracking()
            .Where(m => m.IdentityId == identityId && m.DeviceId == deviceId && m.EventId == messageId)
            .FirstOrDefaultAsync(cancellationToken);
        return message is null
            ? ApiProblems.NotFound(NotFound)
            : TypedResults.Ok(new MessageStatusView(message.EventId, message.DeviceId, message.Recipient, message.Status, message.Error, message.SentAt, message.UpdatedAt));
    }
}
