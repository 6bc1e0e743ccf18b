using Gateway.Api.Auth;
using Gateway.Api.Errors;
using Gateway.Shared.Bridges;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Features.Devices;

/// <summary>
/// <c>GET /devices/qr-code?token=</c>: the WebSocket that streams a device link's frames. The token is the one-time
/// ticket from <c>qr_code_url</c> or <c>link_url</c> (the link page's script), or a Matrix token (then the identity's
/// pending link is the one streamed).
/// </summary>
public static class QrCodeSocket
{
    public static async Task<IResult> Open(HttpContext context, string? token, DeviceLinking linking, MatrixTokens tokens,
        IOptions<BridgeOptions> bridges, LinkFrameRelay relay)
    {
        if (string.IsNullOrEmpty(token))
        {
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "missing token query parameter");
        }

        DeviceLinking.Ticket? link;
        if (token.StartsWith(DeviceLinking.TicketPrefix, StringComparison.Ordinal))
        {
            // A plain GET (a link preview, a curious curl) is refused below and must not use up the socket's one opening.
            link = context.WebSockets.IsWebSocketRequest ? await linking.RedeemAsync(token) : await linking.PeekAsync(token);
        }
        else if (token.StartsWith(MatrixTokens.Prefix, StringComparison.Ordinal))
        {
            var valid = await tokens.ValidateAsync(token, context.RequestAborted);
            link = valid is null ? null
                : new(valid.IdentityId, await linking.PendingPlatformAsync(valid.IdentityId, bridges.Value.All().Keys) ?? "wa");
        }
        else
        {
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized, MatrixTokenAuthenticationHandler.InvalidTokenFormat);
        }
        if (link is null)
        {
            return ApiProblems.Forbidden(MatrixTokenAuthenticationHandler.InvalidOrExpired);
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return ApiProblems.BadRequest("This endpoint is a WebSocket: connect with a WebSocket client.");
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await relay.RunAsync(socket, link.IdentityId, link.Platform, context.RequestAborted);
        return Results.Empty;
    }
}
