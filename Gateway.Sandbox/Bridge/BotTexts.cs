namespace Gateway.Sandbox.Bridge;

/// <summary>
/// What the bot says, word for word as mautrix bridgev2 and mautrix-whatsapp say it: clients (the gateway among them)
/// parse these, so a change here is a protocol change (see docs/bridge.md#answers).
/// </summary>
public static class BotTexts
{
    public static string Welcome(string networkName, bool loggedIn) =>
        $"Hello, I'm a {networkName} bridge bot.\n" + (loggedIn ? "Use `help` for help." : "Use `help` for help or `login` to log in.");

    public const string UnknownCommand = "Unknown command, use the `help` command for help.";
    public const string RequiresLogin = "That command requires you to be logged in.";

    // The flow list is bridgev2's formatFlowsReply over mautrix-whatsapp's GetLoginFlows (pkg/connector/login.go),
    // with the network's name where WhatsApp's is.
    public static string LoginFlows(string networkName, bool withPhone) =>
        $"* `qr` - Scan a QR code to pair the bridge to your {networkName} account"
        + (withPhone ? $"\n* `phone` - Input your phone number to get a pairing code, to pair the bridge to your {networkName} account" : "");
    public static string ChooseLoginFlow(string flows) => $"Please specify a login flow, e.g. `login qr`.\n\n{flows}";
    public static string InvalidLoginFlow(string flow, string flows) => $"Invalid login flow `{flow}`. Available options:\n\n{flows}";
    public static string FailedToStartLogin(string reason) => $"Failed to start login: {reason}";
    public static string LoginSuccess(string phoneDigits) => $"Successfully logged in as +{phoneDigits}";
    public const string LoginTimedOut = "Login failed: Entering code or scanning QR timed out. Please try again.";

    // `login phone` without a number: bridgev2's promptNext for mautrix-whatsapp's phone_number field; the next
    // message is the number (bridgev2 command state), `cancel` gives it up.
    public static string EnterPhoneNumber(string networkName) =>
        $"Please enter your Phone number\nYour {networkName} phone number in international format";
    public const string LoginCancelled = "Login cancelled.";
    public const string NoOngoingCommand = "No ongoing command.";
    // A bad number: bridgev2's CleanPhoneNumber, reported as "Invalid value for Phone number: …" after `login phone`
    // (checkLoginCommandDirectParams) or "Invalid value: …" as the reply to the prompt (submitNext).
    public static string InvalidPhoneValue(string reason, bool direct) =>
        direct ? $"Invalid value for Phone number: {reason}" : $"Invalid value: {reason}";
    public const string PhoneMustStartWithPlus = "phone number must start with +";
    public const string PhoneMustHaveDigits = "phone number must start with + and contain numbers";
    public const string PhoneOnlyNumbers = "phone number must only contain numbers";
    // Then whatsmeow's PairPhone refuses it, reported by bridgev2 as "Failed to submit input: …".
    public static string FailedToSubmitInput(string reason) => $"Failed to submit input: {reason}";
    public const string PhoneTooShort = "phone number too short";
    public const string PhoneNotInternational = "international phone number required (must not start with 0)";
    public const string PhoneTooLong = "phone number too long"; // the sandbox's own: WhatsApp's server refuses these its own way

    /// <summary>A pairing code as bridgev2 shows it (<c>ReplyAdvanced("&lt;code&gt;…&lt;/code&gt;")</c>): the body is its markdown form.</summary>
    public static (string Html, string Body) PairingCode(string code) => ($"<code>{code}</code>", $"`{code}`");

    // The phone unlinked the device: bridgev2's bridge state notice (bridgestate.go sendNotice, an m.text because it is
    // an error) with mautrix-whatsapp's human texts for its error codes (pkg/connector/handlewhatsapp.go).
    public const string LoggedOutFromAnotherDevice = "wa-logged-out";
    public const string MainDeviceGone = "wa-main-device-gone";
    public static string? StateMessage(string error) => error switch
    {
        LoggedOutFromAnotherDevice => "You were logged out from another device. Relogin to continue using the bridge.",
        MainDeviceGone => "Your phone was logged out from WhatsApp. Relogin to continue using the bridge.",
        _ => null,
    };
    public static string StateUpdate(string deviceId, string state, string error) =>
        $"State update for +{deviceId}: `{state}` (`{error}`): {StateMessage(error)}";
    // What a failed event gets in reply (bridgev2 MessageStatus.ToNoticeEvent, the noun after the event's type); through a
    // BAD_CREDENTIALS login the reason is the login's last state message (portal.go handleMatrixEvent).
    public static string NotBridged(string reason, string eventType = "m.room.message", bool certain = true) =>
        $"\u26a0\ufe0f Your {eventType switch { "m.reaction" => "reaction", "m.room.redaction" => "redaction", _ => "message" }} "
        + $"{(certain ? "was not" : "may not have been")} bridged: {reason}";
    public const string NotLoggedInHere = "You're not logged in (receiver login is not logged in)";
    // start-chat through such a login: mautrix-whatsapp's validateIdentifer returns bridgev2.ErrNotLoggedIn.
    public const string NotLoggedInReason = "not logged in";

    public const string LogoutUsage = "Usage: `logout <login ID>`";
    public const string LoggedOut = "Logged out";
    public static string LoginNotFound(string id) => $"Login `{id}` not found";

    public static string StartChatUsage(string command) => $"Usage: `{command} <identifier>`";
    public static string CreatedChat(string id, string name, string ghost, string portalName, string roomId) =>
        $"Created chat with `{id}` / [{name}]({MatrixToUser(ghost)}): [{portalName}]({MatrixToRoom(roomId)})";
    public static string AlreadyHaveChat(string id, string name, string ghost, string portalName, string roomId) =>
        $"You already have a direct chat with `{id}` / [{name}]({MatrixToUser(ghost)}) at [{portalName}]({MatrixToRoom(roomId)})";
    public static string FailedToResolve(string reason) => $"Failed to resolve identifier: {reason}";
    /// <summary><c>resolve-identifier</c> (bridgev2's formatResolveIdentifierResult): the name is empty for a ghost the bridge never met.</summary>
    public static string Found(string id, string name, string ghost) => $"Found `{id}` / [{name}]({MatrixToUser(ghost)})";
    /// <summary>A platform's <c>NotOnNetworkReason</c> (mautrix-whatsapp: <c>the server said +{phone} is not on WhatsApp</c>).</summary>
    public static string NotOnNetwork(string reasonTemplate, string digits) => reasonTemplate.Replace("{phone}", digits);
    public const string InvalidPhoneNumber = "invalid phone number";

    /// <summary>Written as HTML, so the body is its markdown form: <c>Identifier `x` not found</c>.</summary>
    public static (string Html, string Body) IdentifierNotFound(string identifier) =>
        ($"Identifier <code>{System.Net.WebUtility.HtmlEncode(identifier)}</code> not found", $"Identifier `{identifier}` not found");

    public const string NotLoggedIn = "You're not logged in";
    public static string LoginListItem(string deviceId, string state) => $"* `{deviceId}` (+{deviceId}) - `{state}`";

    public const string JoinUsage = "**Usage:** `join <invite link>`";
    public static string JoinedGroup(string groupJid) => $"Successfully joined group `{groupJid}`, the portal should be created momentarily";
    public static string FailedToJoin(string reason) => $"Failed to join group: {reason}";
    public const string InvalidInviteLink = "that group invite link is not valid";

    public const string Help = """
        **Authentication**
        * `login [flow ID]` - Log into the bridge
        * `logout <login ID>` - Log out of the bridge
        * `list-logins` - List your logins

        **Starting and managing chats**
        * `start-chat [login ID] <identifier>` (alias `pm`) - Start a direct chat with the given user
        * `resolve-identifier [login ID] <identifier>` - Check if a given identifier is on the remote network
        * `join [login ID] <invite link>` - Join a group chat with an invite link
        """;

    public static string MatrixToUser(string userId) => "https://matrix.to/#/" + userId;

    /// <summary>The room id percent-encoded (<c>%21…%3A…</c>), the harder of the two forms docs/bridge.md#answers lets clients meet.</summary>
    public static string MatrixToRoom(string roomId) => "https://matrix.to/#/" + Uri.EscapeDataString(roomId);
}
