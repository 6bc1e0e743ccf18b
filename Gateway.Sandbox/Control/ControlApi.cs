using System.Net;
using Gateway.Sandbox.Bridge;
using Gateway.Sandbox.Matrix;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Sandbox.Control;

/// <summary>
/// What a phone or a remote contact does, for tests and demos. Listens on loopback only (see Program.cs).
/// Every route takes an optional <c>platform</c> (default <c>wa</c>) except scan and pair, whose code names its login.
/// </summary>
public static class ControlApi
{
    private static readonly TimeSpan LoginCompletion = TimeSpan.FromSeconds(30);

    public static RouteGroupBuilder MapControlApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/sandbox");
        api.MapPost("/scan", Scan);
        api.MapPost("/pair", Pair);
        api.MapPost("/logout", PhoneLogout);
        api.MapPost("/phones", PhoneChats);
        api.MapPost("/incoming", Incoming);
        api.MapGet("/sent", Sent);
        api.MapGet("/logins", ListLogins);
        api.MapGet("/portals", ListPortals);
        api.MapGet("/switches", GetSwitches);
        api.MapPost("/switches", SetSwitches);
        api.MapDelete("/switches", ResetSwitches);
        api.MapChatEventsApi();
        return api;
    }

    /// <summary>A phone scans a QR: the login that shows this code right now completes with the phone's number.</summary>
    private static async Task<Results<Ok<Scanned>, BadRequest<ControlError>, NotFound<ControlError>, Conflict<ControlError>, JsonHttpResult<ControlError>>> Scan(
        ScanRequest request, Bridges bridges)
    {
        if (string.IsNullOrWhiteSpace(request.Code))
        {
            return TypedResults.BadRequest(new ControlError("Missing required field: code"));
        }
        if (string.IsNullOrWhiteSpace(request.Phone))
        {
            return TypedResults.BadRequest(new ControlError("Missing required field: phone"));
        }
        if (PhoneNumbers.Normalise(request.Phone) is not { } phone)
        {
            return TypedResults.BadRequest(new ControlError($"Invalid phone number: {request.Phone} (6 to 15 digits, optionally with +, spaces or dashes)"));
        }
        foreach (var bridge in bridges.All)
        {
            var (outcome, pending) = bridge.QrLogins.Scan(request.Code.Trim(), phone);
            switch (outcome)
            {
                case ScanOutcome.Expired:
                    return TypedResults.Conflict(new ControlError("This QR code has expired: scan the code the bot shows now"));
                case ScanOutcome.Accepted:
                    var login = await pending!.Finished.WaitAsync(LoginCompletion);
                    return login is null
                        ? TypedResults.Conflict(new ControlError("The login timed out before the scan was taken"))
                        : TypedResults.Ok(new Scanned(bridge.Platform.Name, login.DeviceId, login.UserId, login.ManagementRoomId));
            }
        }
        return TypedResults.NotFound(new ControlError("No pending login shows this QR code"));
    }

    /// <summary>The phone of a pending <c>login phone</c> enters the pairing code the bot showed.</summary>
    private static async Task<Results<Ok<Scanned>, BadRequest<ControlError>, NotFound<ControlError>, Conflict<ControlError>>> Pair(
        PairRequest request, Bridges bridges)
    {
        if (string.IsNullOrWhiteSpace(request.Code))
        {
            return TypedResults.BadRequest(new ControlError("Missing required field: code"));
        }
        foreach (var bridge in bridges.All)
        {
            var (outcome, pending) = bridge.PairingLogins.Pair(request.Code);
            switch (outcome)
            {
                case PairOutcome.Expired:
                    return TypedResults.Conflict(new ControlError("This pairing code has expired: the login timed out"));
                case PairOutcome.Accepted:
                    var login = await pending!.Finished.WaitAsync(LoginCompletion);
                    return login is null
                        ? TypedResults.Conflict(new ControlError("The login timed out before the code was entered"))
                        : TypedResults.Ok(new Scanned(bridge.Platform.Name, login.DeviceId, login.UserId, login.ManagementRoomId));
            }
        }
        return TypedResults.NotFound(new ControlError("No pending login shows this pairing code"));
    }

    /// <summary>The phone unlinks the device (Settings → Linked devices → Log out, or the phone itself logged out).</summary>
    private static async Task<Results<Ok<LoginView>, BadRequest<ControlError>, NotFound<ControlError>>> PhoneLogout(
        PhoneLogoutRequest request, Bridges bridges)
    {
        if (bridges.Find(request.Platform) is not { } bridge)
        {
            return TypedResults.NotFound(new ControlError($"Platform not enabled: {request.Platform}"));
        }
        if (string.IsNullOrWhiteSpace(request.DeviceId))
        {
            return TypedResults.BadRequest(new ControlError("Missing required field: device_id"));
        }
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? BotTexts.LoggedOutFromAnotherDevice : request.Reason.Trim();
        if (BotTexts.StateMessage(reason) is null)
        {
            return TypedResults.BadRequest(new ControlError(
                $"reason must be {BotTexts.LoggedOutFromAnotherDevice} or {BotTexts.MainDeviceGone}, not {request.Reason}"));
        }
        if (bridge.Logins.Find(PhoneNumbers.Normalise(request.DeviceId) ?? request.DeviceId.Trim()) is not { } login)
        {
            return TypedResults.NotFound(new ControlError($"No linked device {request.DeviceId} on {bridge.Platform.Name}"));
        }
        var unlinked = await bridge.UnlinkByPhoneAsync(login, reason);
        return TypedResults.Ok(LoginView.Of(bridge.Platform.Name, unlinked));
    }

    /// <summary>Gives a phone contacts and groups before it links: at login their portals are created and the user invited.</summary>
    private static Results<Ok<PhoneChatsView>, BadRequest<ControlError>, NotFound<ControlError>> PhoneChats(PhoneChatsRequest request, Bridges bridges)
    {
        if (bridges.Find(request.Platform) is not { } bridge)
        {
            return TypedResults.NotFound(new ControlError($"Platform not enabled: {request.Platform}"));
        }
        var (phone, contacts, groups, error) = request.Validate(bridge);
        if (phone is null)
        {
            return TypedResults.BadRequest(new ControlError(error!));
        }
        var chats = bridge.PhoneChats.Add(phone, contacts, groups);
        return TypedResults.Ok(new PhoneChatsView(bridge.Platform.Name, phone, chats.Contacts,
            [.. chats.Groups.Select(g => new ExistingGroupView(bridge.Platform.GroupChatId(g.GroupId), g.Name, g.MemberIds))]));
    }

    /// <summary>A contact (or group member) sends a message to a linked device.</summary>
    private static async Task<Results<Ok<IncomingAccepted>, BadRequest<ControlError>, NotFound<ControlError>, Conflict<ControlError>>> Incoming(
        IncomingRequest request, Bridges bridges, CancellationToken cancellationToken)
    {
        if (bridges.Find(request.Platform) is not { } bridge)
        {
            return TypedResults.NotFound(new ControlError($"Platform not enabled: {request.Platform}"));
        }
        var (message, error) = request.Validate(bridge);
        if (message is null)
        {
            return TypedResults.BadRequest(new ControlError(error!));
        }
        if (bridge.Logins.Find(PhoneNumbers.Normalise(request.DeviceId) ?? request.DeviceId!) is not { } login)
        {
            return TypedResults.NotFound(new ControlError($"No linked device {request.DeviceId} on {bridge.Platform.Name}"));
        }
        if (!login.IsConnected)
        {
            // The phone unlinked it: the bridge has no connection that could receive anything.
            return TypedResults.Conflict(new ControlError(
                $"Device {login.DeviceId} on {bridge.Platform.Name} is {login.State} ({login.StateError}): the phone must link it again"));
        }
        Delivered delivered;
        try
        {
            delivered = await IncomingMessages.DeliverAsync(bridge, login, message, cancellationToken);
        }
        catch (MatrixException e) when (message.RawContent is not null && e.Status == HttpStatusCode.BadRequest)
        {
            // Synapse checks a message's body and msgtype are strings: such contents can only come over federation.
            return TypedResults.BadRequest(new ControlError($"The homeserver refuses this content: {e.Reason}"));
        }
        var portal = delivered.Portal;
        return TypedResults.Ok(new IncomingAccepted(bridge.Platform.Name, login.DeviceId, portal.RoomId, delivered.EventId, delivered.Sender,
            portal.Kind == ChatKind.Group ? "group" : "contact", portal.ChatId, delivered.PortalCreated));
    }

    /// <summary>What users sent into portals (oldest first), for one device or all.</summary>
    private static Results<Ok<IReadOnlyList<SentMessage>>, NotFound<ControlError>> Sent(
        [FromQuery(Name = "device_id")] string? deviceId, string? platform, Bridges bridges) =>
        bridges.Find(platform) is { } bridge
            ? TypedResults.Ok(bridge.Sent.For(string.IsNullOrWhiteSpace(deviceId) ? null : deviceId.Trim()))
            : TypedResults.NotFound(new ControlError($"Platform not enabled: {platform}"));

    private static Ok<LoginsView> ListLogins(Bridges bridges) => TypedResults.Ok(new LoginsView(
        [.. bridges.All.SelectMany(b => b.Logins.All.Select(l => LoginView.Of(b.Platform.Name, l)))],
        [.. bridges.All.SelectMany(b => b.QrLogins.Pending.Concat(b.PairingLogins.Pending).Select(p => PendingLoginView.Of(b.Platform.Name, p)))]));

    private static Ok<List<PortalView>> ListPortals([FromQuery(Name = "device_id")] string? deviceId, Bridges bridges) => TypedResults.Ok(
        bridges.All.SelectMany(b => b.Portals.All.Select(p => PortalView.Of(b.Platform.Name, p)))
            .Where(p => string.IsNullOrWhiteSpace(deviceId) || p.DeviceId == deviceId.Trim())
            .ToList());

    private static Ok<SwitchesView> GetSwitches(FailureSwitches switches) => TypedResults.Ok(SwitchesView.Of(switches));

    private static Results<Ok<SwitchesView>, BadRequest<ControlError>> SetSwitches(SwitchesRequest request, FailureSwitches switches)
    {
        if (request.BotDelayMs is < 0)
        {
            return TypedResults.BadRequest(new ControlError("bot_delay_ms must not be negative"));
        }
        if (request.LateNextAnswerMs is < 0)
        {
            return TypedResults.BadRequest(new ControlError("late_next_answer_ms must not be negative"));
        }
        if (request.RefuseSends is < 0)
        {
            return TypedResults.BadRequest(new ControlError("refuse_sends must not be negative"));
        }
        if (request.EditMaxAgeSeconds is < 0)
        {
            return TypedResults.BadRequest(new ControlError("edit_max_age_seconds must not be negative"));
        }
        List<string>? notOnNetwork = null;
        foreach (var number in request.NotOnNetwork ?? [])
        {
            if (PhoneNumbers.Normalise(number) is not { } digits)
            {
                return TypedResults.BadRequest(new ControlError($"Invalid phone number in not_on_network: {number}"));
            }
            (notOnNetwork ??= []).Add(digits);
        }
        switches.FailNextCommand = request.FailNextCommand ?? switches.FailNextCommand;
        switches.BotDelayMs = request.BotDelayMs ?? switches.BotDelayMs;
        switches.DropQrRefreshes = request.DropQrRefreshes ?? switches.DropQrRefreshes;
        switches.LateNextAnswerMs = request.LateNextAnswerMs ?? switches.LateNextAnswerMs;
        switches.RefuseSends = request.RefuseSends ?? switches.RefuseSends;
        switches.RefuseReason = string.IsNullOrWhiteSpace(request.RefuseReason) ? switches.RefuseReason : request.RefuseReason.Trim();
        switches.MessageStatusEvents = request.MessageStatusEvents ?? switches.MessageStatusEvents;
        switches.EditMaxAgeSeconds = request.EditMaxAgeSeconds ?? switches.EditMaxAgeSeconds;
        if (request.NotOnNetwork is not null)
        {
            switches.NotOnNetwork = notOnNetwork ?? [];
        }
        return TypedResults.Ok(SwitchesView.Of(switches));
    }

    private static Ok<SwitchesView> ResetSwitches(FailureSwitches switches)
    {
        switches.Reset();
        return TypedResults.Ok(SwitchesView.Of(switches));
    }
}
