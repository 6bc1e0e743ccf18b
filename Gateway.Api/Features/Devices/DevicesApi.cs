using System.Security.Claims;
using Gateway.Api.Auth;
using Gateway.Api.Bridges;
using Gateway.Api.Errors;
using Gateway.Api.Features.Docs;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Gateway.Shared.Matrix;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Features.Devices;

public static class DevicesApi
{
    public static RouteGroupBuilder MapDevicesApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/devices").WithTags("Devices");
        api.MapPost("/", AddDevice).RequireMatrixToken()
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status502BadGateway)
            .WithName("startDeviceLink").WithSummary("Start linking a device")
            .WithExample(DeviceExamples.Add, DeviceExamples.Started)
            .WithDescription("Asks the bridge for a QR login, or with `phone_number` a pairing-code login, and returns the WebSocket "
                + "URL that streams the QR codes or the pairing code (`qr_code_url`), and the address of a page that shows them to "
                + "the person holding the phone (`link_url`), each with its own one-time ticket.");
        api.MapGet("/", ListDevices).RequireMatrixToken()
            .WithName("listDevices").WithSummary("List linked devices")
            .WithExample(null, DeviceExamples.Listed)
            .WithDescription("The devices linked to the token's Matrix identity (a use_host token sees the host's devices), each "
                + "`connected` or `logged_out` (the phone unlinked it; `status_reason` says why).");
        api.MapDelete("/", DeleteDevice).RequireMatrixToken()
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status502BadGateway)
            .WithName("unlinkDevice").WithSummary("Unlink a device")
            .WithExample(DeviceExamples.Delete, new MessageResponse("Device deleted successfully"))
            .WithDescription("Logs the bridge out of the device and forgets it, once the bridge confirmed the logout; a bridge that "
                + "does not confirm it gets 502 and the device stays linked.");
        api.MapGet("/qr-code", QrCodeSocket.Open)
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden)
            .WithMetadata(new DocumentedSecurity(SecuritySchemesTransformer.QueryToken))
            .WithName("openLinkSocket").WithSummary("QR code WebSocket")
            .WithDescription("WebSocket (text frames, one JSON object each): {type:qr, code, expires_in} on every QR (or "
                + "{type:code, code, expires_in} once for a pairing code), then "
                + "{type:success, platform, device_id} or {type:error, error} and a normal close. ?token= takes the ticket "
                + "from qr_code_url (or link_url: the link page connects with it) or a Matrix token.");
        return api;
    }

    private static async Task<Results<Created<DeviceLinkStarted>, ProblemHttpResult>> AddDevice(
        AddDeviceRequest request, ClaimsPrincipal user, HttpRequest http, IOptions<BridgeOptions> bridges,
        DeviceLinking linking, CancellationToken cancellationToken)
    {
        if (PlatformField.Validate(request.Platform, bridges.Value) is { } invalid)
        {
            return invalid;
        }
        var platform = bridges.Value.All()[request.Platform!];
        string? phoneDigits = null;
        if (request.PhoneNumber is not null)
        {
            if ((phoneDigits = PhoneNumberField.Digits(request.PhoneNumber)) is null)
            {
                return ApiProblems.BadRequest(PhoneNumberField.Invalid);
            }
            if (!platform.PairingCodes)
            {
                return ApiProblems.BadRequest($"Linking by pairing code is not supported on {platform.Key}: leave out phone_number to link by QR code");
            }
        }
        try
        {
            var tickets = await linking.StartAsync(user.MatrixIdentityId(), platform, phoneDigits, cancellationToken);
            var secure = ClientUsedTls(http);
            return TypedResults.Created((string?)null, new DeviceLinkStarted(
                phoneDigits is null ? "Scan the QR code to link your device" : "Enter the pairing code on your phone to link your device",
                $"{(secure ? "wss" : "ws")}://{http.Host}/api/v1/devices/qr-code?token={tickets.Socket}",
                $"{(secure ? "https" : "http")}://{http.Host}{LinkPageApi.PathOf(tickets.Page)}"));
        }
        catch (Exception e) when (e is BridgeUnavailableException or MatrixException or HttpRequestException)
        {
            return ApiProblems.Problem(StatusCodes.Status502BadGateway, $"The {request.Platform} bridge is unavailable. Try again later.");
        }
    }

    /// <summary>Behind a TLS-terminating proxy the first X-Forwarded-Proto value is what the client used.</summary>
    internal static bool ClientUsedTls(HttpRequest http) =>
        http.IsHttps || http.Headers["X-Forwarded-Proto"].ToString().Split(',')[0].Trim().Equals("https", StringComparison.OrdinalIgnoreCase);

    private static async Task<Ok<List<DeviceView>>> ListDevices(ClaimsPrincipal user, GatewayDb db, CancellationToken cancellationToken)
    {
        var identityId = user.MatrixIdentityId();
        var devices = await db.Devices.AsNoTracking()
            .Where(d => d.IdentityId == identityId)
            .OrderBy(d => d.Id)
            .Select(d => new DeviceView(d.Platform, d.DeviceId, d.Status == DeviceStatus.LoggedOut ? "logged_out" : "connected", d.StatusReason))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(devices);
    }

    private static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> DeleteDevice(
        [FromBody] DeleteDeviceRequest request, ClaimsPrincipal user, IOptions<BridgeOptions> bridges, GatewayDb db,
        DeviceUnlinking unlinking, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.DeviceId))
        {
            return ApiProblems.BadRequest("Missing required field: device_id");
        }
        if (PlatformField.Validate(request.Platform, bridges.Value) is { } invalid)
        {
            return invalid;
        }
        var identityId = user.MatrixIdentityId();
        var device = await db.Devices.FirstOrDefaultAsync(
            d => d.IdentityId == identityId && d.Platform == request.Platform && d.DeviceId == request.DeviceId, cancellationToken);
        if (device is null)
        {
            return ApiProblems.NotFound("Device not found");
        }
        if (await unlinking.UnlinkAsync(device, bridges.Value.All()[device.Platform], cancellationToken) is { } error)
        {
            return ApiProblems.Problem(StatusCodes.Status502BadGateway,
                $"The {device.Platform} bridge did not confirm the logout ({error}); the device is still linked. Try again later.");
        }
        return TypedResults.Ok(new MessageResponse("Device deleted successfully"));
    }
}
