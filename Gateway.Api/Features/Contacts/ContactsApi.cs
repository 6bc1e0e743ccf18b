using System.Security.Claims;
using Gateway.Api.Auth;
using Gateway.Api.Bridges;
using Gateway.Api.Errors;
using Gateway.Api.Features.Docs;
using Gateway.Api.Features.Messages;
using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Matrix;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Features.Contacts;

/// <summary>Whether a number is on the network before writing to it: the bridge asks the network (<c>resolve-identifier</c>), no chat is opened.</summary>
public static class ContactsApi
{
    public static RouteHandlerBuilder MapContactsApi(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/v1/devices/{deviceId}/contacts/{phone}", CheckContact)
            .RequireMatrixToken()
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status429TooManyRequests,
                StatusCodes.Status502BadGateway)
            .WithTags("Contacts")
            .WithName("checkContact").WithSummary("Is a number on the network")
            .WithExample(null, ContactExamples.OnNetwork)
            .WithDescription("Asks the network, through the device, whether `phone` (international format) has an account: 200 with the chat a "
                + "send reaches it by (`chat.id` as `contact`), or 404 `<phone> is not on WhatsApp`. Counts against the device's send rate limit. "
                + "`platform` defaults to `wa`.");

    /// <summary>What a number check needs besides its request.</summary>
    public sealed record CheckServices(IOptions<BridgeOptions> Bridges, SendPermits Permits, MatrixSessions Sessions, BridgeCommands Commands);

    private static async Task<Results<Ok<ContactOnNetwork>, ProblemHttpResult>> CheckContact(string deviceId, string phone, string? platform,
        ClaimsPrincipal user, HttpResponse response, [AsParameters] CheckServices services, CancellationToken cancellationToken)
    {
        platform ??= "wa";
        if (PlatformField.Validate(platform, services.Bridges.Value) is { } invalidPlatform)
        {
            return invalidPlatform;
        }
        if (ContactPhone.Digits(phone) is not { } digits)
        {
            return ApiProblems.BadRequest(ContactPhone.Invalid);
        }
        var identityId = user.MatrixIdentityId();
        if (await services.Permits.RefusalAsync(identityId, platform, deviceId, 1, response, cancellationToken) is { } refusal)
        {
            return refusal;
        }
        var bridge = services.Bridges.Value.All()[platform];
        Resolution found;
        try
        {
            var session = await services.Sessions.ForIdentityAsync(identityId, cancellationToken);
            await using var bot = await services.Commands.OpenAsync(session, bridge, cancellationToken);
            found = await bot.ResolveIdentifierAsync(deviceId, digits, cancellationToken);
        }
        catch (Exception e) when (e is BridgeUnavailableException or MatrixException or HttpRequestException)
        {
            return ApiProblems.Problem(StatusCodes.Status502BadGateway, $"The {platform} bridge is unavailable. Try again later.");
        }
        return found switch
        {
            // The number itself, not the bridge's id for it (a LID on WhatsApp): every send takes a number as its contact.
            { ContactId: not null } => TypedResults.Ok(new ContactOnNetwork(true, new ChatView("contact", digits))),
            // bridgev2: "Failed to resolve identifier: the server said +<digits> is not on WhatsApp", or "Identifier … not found".
            { Error: { } error } when error.Contains(" is not on ", StringComparison.Ordinal) || error.EndsWith(" not found", StringComparison.Ordinal) =>
                ApiProblems.NotFound($"{phone} is not on {bridge.NetworkName}"),
            _ => ApiProblems.Problem(StatusCodes.Status502BadGateway, found.Error ?? BotConversation.NoAnswer),
        };
    }
}
