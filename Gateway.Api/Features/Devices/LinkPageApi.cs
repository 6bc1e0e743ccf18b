using System.Net;
using System.Security.Cryptography;
using Gateway.Api.Features.Docs;
using Gateway.Shared.Bridges;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using QRCoder;

namespace Gateway.Api.Features.Devices;

/// <summary>
/// <c>GET /link/{ticket}</c>: the page for the person holding the phone. Loading it only reads the ticket (a chat
/// app's link preview must not use it up); the page's script spends it by opening the QR WebSocket with it, and shows
/// each QR as an image this API renders, only for the code the link shows now.
/// </summary>
public static class LinkPageApi
{
    private const string Html = "text/html; charset=utf-8";

    private static readonly string Template = LoadTemplate();

    public static IEndpointRouteBuilder MapLinkPage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/link/{ticket}", ShowPage)
            .AllowAnonymous()
            .WithName("GetLinkPage")
            .WithTags("Devices")
            .WithSummary("Device link page")
            .WithDescription("An HTML page to hand to the person holding the phone (the `link_url` of `POST /api/v1/devices`): "
                + "the live QR code as an image, or the pairing code, the steps to follow on the phone, and the outcome. "
                + "The ticket in the address is the only secret: it is spent when the page connects, so a reload says the "
                + "link was already used (410); an expired or unknown ticket gets a page saying so (404).")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .Produces<string>(StatusCodes.Status404NotFound, "text/html")
            .Produces<string>(StatusCodes.Status410Gone, "text/html")
            .WithExample(null, "<!doctype html><html lang=\"en\"><head><title>Link your phone</title>…</head><body><main>…</main></body></html>");
        // Only the page asks for these images, with the code its socket just received: not a contract of its own.
        routes.MapGet("/link/{ticket}/qr.png", QrImage).AllowAnonymous().ExcludeFromDescription();
        return routes;
    }

    public static string PathOf(string ticket) => $"/link/{ticket}";

    private static async Task<ContentHttpResult> ShowPage(string ticket, HttpContext http, DeviceLinking linking, IOptions<BridgeOptions> bridges)
    {
        var (state, link) = await linking.LookUpAsync(ticket);
        var platform = link is null ? null : bridges.Value.All().GetValueOrDefault(link.Platform);
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var page = Template
            .Replace("{{state}}", state switch { DeviceLinking.TicketState.Open => "connecting", DeviceLinking.TicketState.Spent => "spent", _ => "expired" })
            .Replace("{{network}}", WebUtility.HtmlEncode(platform?.NetworkName ?? "WhatsApp"))
            .Replace("{{nonce}}", nonce);
        var headers = http.Response.Headers;
        PrivateResponse(http.Response);
        var socketOrigin = $"{(DevicesApi.ClientUsedTls(http.Request) ? "wss" : "ws")}://{http.Request.Host}";
        headers.ContentSecurityPolicy = $"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src 'self'; "
            + $"connect-src 'self' {socketOrigin}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        headers["X-Robots-Tag"] = "noindex, nofollow";
        var status = state switch
        {
            DeviceLinking.TicketState.Open => StatusCodes.Status200OK,
            DeviceLinking.TicketState.Spent => StatusCodes.Status410Gone,
            _ => StatusCodes.Status404NotFound,
        };
        return TypedResults.Content(page, Html, statusCode: status);
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> QrImage(string ticket, string? code, HttpResponse response, DeviceLinking linking)
    {
        // A spent ticket still shows its link's images: the page spent it opening the socket that brought the code.
        var (_, link) = await linking.LookUpAsync(ticket);
        if (link is null || string.IsNullOrEmpty(code) || await linking.LatestFrameAsync(link) is not { Type: "qr" } latest || latest.Code != code)
        {
            return TypedResults.NotFound();
        }
        PrivateResponse(response);
        return TypedResults.File(PngByteQRCodeHelper.GetQRCode(code, QRCodeGenerator.ECCLevel.L, 10), "image/png");
    }

    /// <summary>Nothing here may be cached or leak its address (the ticket) to another site.</summary>
    private static void PrivateResponse(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    private static string LoadTemplate()
    {
        using var stream = typeof(LinkPageApi).Assembly.GetManifestResourceStream("LinkPage.html")
            ?? throw new InvalidOperationException("LinkPage.html is not embedded in the Api");
        return new StreamReader(stream).ReadToEnd();
    }
}
