using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Gateway.Api.Auth;
using Gateway.Api.Errors;
using Gateway.Api.Features.Docs;
using Gateway.Api.Features.Devices;
using Gateway.Api.Matrix;
using Gateway.Api.Startup;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Redis;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Features.Messages;

public static class MessagesApi
{
    /// <summary>A Matrix event is at most 64 KiB: the text leaves room for the rest of it.</summary>
    public const int MaxTextBytes = 60_000;

    public static RouteHandlerBuilder MapMessagesApi(this IEndpointRouteBuilder routes)
    {
        // This endpoint alone takes more than a JSON body: a file of Messages:MaxFileBytes (the form reader's limit) and its fields.
        var maxFileBytes = routes.ServiceProvider.GetRequiredService<IOptions<FormOptions>>().Value.MultipartBodyLengthLimit;
        return routes.MapPost("/api/v1/devices/{deviceId}/message", SendMessage)
            .RequireMatrixToken()
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge,
                StatusCodes.Status429TooManyRequests)
            .Produces<MessageNotSent>(StatusCodes.Status502BadGateway, "application/problem+json")
            .WithTags("Messages")
            .Accepts<SendMessageRequest>("application/json", "multipart/form-data")
            .WithName("sendMessage").WithSummary("Send a message")
            .WithExample(MessageExamples.Send, MessageExamples.Sent)
            .WithDescription("Text and/or a file (multipart field `file`) to comma-separated `contact`s, `group_url`s or `group_id`s "
                + "(group_url wins, then group_id; a webhook's `chat.id` is taken back as `contact` or `group_id`), optionally as a reply "
                + "(`reply_id`). One result per recipient.")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(maxFileBytes + 1024 * 1024))
            .DisableAntiforgery();
    }

    private static async Task<Results<Ok<MessageSent>, JsonHttpResult<MessageNotSent>, ProblemHttpResult>> SendMessage(
        string deviceId, HttpRequest http, ClaimsPrincipal user, IOptions<BridgeOptions> bridges, IOptions<JsonOptions> json,
        IOptions<RequestLimitOptions> limits, LinkedDevices devices, MatrixSessions sessions, MessageSender sender, SendRateLimiter rateLimiter,
        UpstreamTime upstreamTime, CancellationToken cancellationToken)
    {
        var identityId = user.MatrixIdentityId();
        // Before the body is read, so a device that is not the caller's costs no upload. The platform is in the body:
        // here any platform will do, and the device is checked again on the one asked for.
        if (await devices.StatusAsync(identityId, platform: null, deviceId, cancellationToken) is null)
        {
            return ApiProblems.NotFound("Device not found");
        }
        var (request, file) = await ReadAsync(http, json.Value.SerializerOptions, limits.Value.MaxBodyBytes, cancellationToken);
        if (request is null)
        {
            return ApiProblems.BadRequest(ApiProblems.InvalidBody);
        }
        if (PlatformField.Validate(request.Platform, bridges.Value) is { } invalidPlatform)
        {
            return invalidPlatform;
        }
        // The first list given wins: group_url, then group_id, then contact.
        var (kind, recipients) = Recipients.Parse(request.GroupUrl) is { Count: > 0 } groupUrls ? (RecipientKind.GroupUrl, groupUrls)
            : Recipients.Parse(request.GroupId) is { Count: > 0 } groupIds ? (RecipientKind.GroupId, groupIds)
            : (RecipientKind.Contact, Recipients.Parse(request.Contact));
        if (recipients.Count == 0)
        {
            return ApiProblems.BadRequest("Either contact or group_url must be provided");
        }
        if (recipients.Count > Recipients.Max)
        {
            return ApiProblems.BadRequest($"Too many recipients: at most {Recipients.Max}");
        }
        if (string.IsNullOrEmpty(request.Text) && file is null)
        {
            return ApiProblems.BadRequest("Either text or file must be provided");
        }
        if (file is { HasExtension: false })
        {
            return ApiProblems.BadRequest("Uploaded file must have a file extension");
        }
        if (file is { HasValidMimeType: false })
        {
            return ApiProblems.BadRequest($"Invalid file content type: {file.MimeType}");
        }
        if (request.Text is { } text && Encoding.UTF8.GetByteCount(text) > MaxTextBytes)
        {
            return ApiProblems.BadRequest($"Text is too long: at most {MaxTextBytes} bytes");
        }

        var platform = bridges.Value.All()[request.Platform!];
        switch (await devices.StatusAsync(identityId, platform.Key, deviceId, cancellationToken))
        {
            case null:
                return ApiProblems.NotFound("Device not found");
            case DeviceStatus.LoggedOut:
                return ApiProblems.Problem(StatusCodes.Status409Conflict, $"Device {deviceId} is logged out of {platform.NetworkName}: link it again");
        }
        var wait = await rateLimiter.TryTakeAsync(identityId, platform.Key, deviceId, recipients.Count);
        if (wait > TimeSpan.Zero)
        {
            http.HttpContext.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString();
            return ApiProblems.Problem(StatusCodes.Status429TooManyRequests, "Too many messages from this device. Retry later.");
        }

        var session = await sessions.ForIdentityAsync(identityId, cancellationToken);
        var results = await sender.SendAsync(session, platform, deviceId,
            new MessageSender.Outgoing(kind, recipients, request.Text, file, string.IsNullOrWhiteSpace(request.ReplyId) ? null : request.ReplyId),
            cancellationToken);
        http.HttpContext.Response.Headers["Server-Timing"] = upstreamTime.ServerTiming;
        if (results.Any(r => r.Status == "sent"))
        {
            return TypedResults.Ok(new MessageSent("Message sent successfully", results));
        }
        const string NotSent = "The message could not be sent to any recipient";
        return TypedResults.Json(new MessageNotSent(ApiProblems.Type, "Bad Gateway", 502, NotSent, ApiProblems.Internal, ApiProblems.TraceId(http.HttpContext), results),
            statusCode: StatusCodes.Status502BadGateway, contentType: "application/problem+json");
    }

    /// <summary>The request's fields from JSON or multipart; a null request when the body is not a JSON object.</summary>
    private static async Task<(SendMessageRequest? Request, OutgoingFile? File)> ReadAsync(HttpRequest http, JsonSerializerOptions options,
        long maxJsonBytes, CancellationToken cancellationToken)
    {
        if (http.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await http.ReadFormAsync(cancellationToken);
            }
            catch (InvalidDataException) // the form reader's limit: the file is too large
            {
                throw new BadHttpRequestException("Uploaded file is too large", StatusCodes.Status413PayloadTooLarge); // worded with its limit by ApiProblems
            }
            var file = form.Files.GetFile("file");
            return (new SendMessageRequest(form["contact"], form["group_url"], form["platform"], form["text"], form["reply_id"], form["group_id"]),
                file is { Length: > 0 } ? new OutgoingFile(file) : null);
        }
        // Only a form carries a file: a JSON send gets the limit of every JSON body.
        if (http.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = maxJsonBytes;
        }
        try
        {
            return (await JsonSerializer.DeserializeAsync<SendMessageRequest>(http.Body, options, cancellationToken), null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
