using System.Security.Claims;
using System.Text.Json;
using Gateway.Api.Auth;
using Gateway.Api.Bridges;
using Gateway.Api.Errors;
using Gateway.Api.Features.Docs;
using Gateway.Api.Matrix;
using Gateway.Api.Startup;
using Gateway.Shared.Bridges;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Gateway.Api.Features.Messages;

public static class MessagesApi
{
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
                + "(`reply_id`), or a `location` instead (JSON only); `voice: true` sends an Ogg Opus file as a voice note. A file the network "
                + "cannot show as a photo, video or audio as it is goes as a document. One result per recipient.")
            .AddOpenApiOperationTransformer(DescribeFilePart)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(maxFileBytes + 1024 * 1024))
            .DisableAntiforgery();
    }

    /// <summary>A form is the JSON's fields (strings all) and the file: so a client generated from the document can send one.</summary>
    private static Task DescribeFilePart(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.RequestBody?.Content?.TryGetValue("multipart/form-data", out var form) == true)
        {
            form.Schema = new OpenApiSchema
            {
                AllOf =
                [
                    new OpenApiSchemaReference(nameof(SendMessageRequest)),
                    new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The file to send; `text` is its caption." },
                        },
                    },
                ],
            };
        }
        return Task.CompletedTask;
    }

    /// <summary>What a send needs besides its request.</summary>
    public sealed record SendServices(IOptions<BridgeOptions> Bridges, IOptions<JsonOptions> Json, IOptions<RequestLimitOptions> Limits,
        LinkedDevices Devices, SendPermits Permits, MatrixSessions Sessions, MessageSender Sender, UpstreamTime UpstreamTime);

    private static async Task<Results<Ok<MessageSent>, JsonHttpResult<MessageNotSent>, ProblemHttpResult>> SendMessage(
        string deviceId, HttpRequest http, ClaimsPrincipal user, [AsParameters] SendServices services, CancellationToken cancellationToken)
    {
        var identityId = user.MatrixIdentityId();
        // Before the body is read, so a device that is not the caller's costs no upload. The platform is in the body:
        // here any platform will do, and the device is checked again on the one asked for.
        if (await services.Devices.StatusAsync(identityId, platform: null, deviceId, cancellationToken) is null)
        {
            return ApiProblems.NotFound("Device not found");
        }
        var (request, file) = await ReadAsync(http, services.Json.Value.SerializerOptions, services.Limits.Value.MaxBodyBytes, cancellationToken);
        if (request is null)
        {
            return ApiProblems.BadRequest(ApiProblems.InvalidBody);
        }
        if (PlatformField.Validate(request.Platform, services.Bridges.Value) is { } invalidPlatform)
        {
            return invalidPlatform;
        }
        if (request.Problem(file) is { } problem)
        {
            return ApiProblems.BadRequest(problem);
        }
        var (kind, recipients) = request.RecipientList();
        if (await services.Permits.RefusalAsync(identityId, request.Platform!, deviceId, recipients.Count, http.HttpContext.Response, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        var session = await services.Sessions.ForIdentityAsync(identityId, cancellationToken);
        var platform = services.Bridges.Value.All()[request.Platform!];
        var results = await services.Sender.SendAsync(session, platform, deviceId, new MessageSender.Outgoing(kind, recipients, request, file), cancellationToken);
        http.HttpContext.Response.Headers["Server-Timing"] = services.UpstreamTime.ServerTiming;
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
            return (new SendMessageRequest(form["contact"], form["group_url"], form["platform"], form["text"], form["reply_id"], form["group_id"],
                    Voice: bool.TryParse(form["voice"], out var voice) ? voice : null),
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
