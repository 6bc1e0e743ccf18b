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

    public const string LoginFlows = "* `qr` - Scan a QR code to pair the bridge to your phone";
    public const string ChooseLoginFlow = "Please specify a login flow, e.g. `login qr`.\n\n" + LoginFlows;
    public static string InvalidLoginFlow(string flow) => $"Invalid login flow `{flow}`. Available options:\n\n{LoginFlows}";
    public static string FailedToStartLogin(string reason) => $"Failed to start login: {reason}";
    public static string LoginSuccess(string phoneDigits) => $"Successfully logged in as +{phoneDigits}";
    public const string LoginTimedOut = "Login failed: Entering code or scanning QR timed out. Please try again.";

    public const string LogoutUsage = "Usage: `logout <login ID>`";
    public const string LoggedOut = "Logged out";
    public static string LoginNotFound(string id) => $"Login `{id}` not found";

    public static string StartChatUsage(string command) => $"Usage: `{command} <identifier>`";
    public static string CreatedChat(string id, string name, string ghost, string portalName, string roomId) =>
        $"Created chat with `{id}` / [{name}]({MatrixToUser(ghost)}): [{portalName}]({MatrixToRoom(roomId)})";
    public static string AlreadyHaveChat(string id, string name, string ghost, string portalName, string roomId) =>
        $"You already have a direct chat with `{id}` / [{name}]({MatrixToUser(ghost)}) at [{portalName}]({MatrixToRoom(roomId)})";
    public static string FailedToResolve(string reason) => $"Failed to resolve identifier: {reason}";
    public const string InvalidPhoneNumber = "invalid phone number";

    /// <summary>Written as HTML, so the body is its markdown form: <c>Identifier `x` not found</c>.</summary>
    public static (string Html, string Body) IdentifierNotFound(string identifier) =>
        ($"Identifier <code>{System.Net.WebUtility.HtmlEncode(identifier)}</code> not found", $"Identifier `{identifier}` not found");

    public const string NotLoggedIn = "You're not logged in";
    public static string LoginListItem(string deviceId) => $"* `{deviceId}` (+{deviceId}) - `CONNECTED`";

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
        * `join [login ID] <invite link>` - Join a group chat with an invite link
        """;

    public static string MatrixToUser(string userId) => "https://matrix.to/#/" + userId;

    /// <summary>The room id percent-encoded (<c>%21…%3A…</c>), the harder of the two forms docs/bridge.md#answers lets clients meet.</summary>
    public static string MatrixToRoom(string roomId) => "https://matrix.to/#/" + Uri.EscapeDataString(roomId);
}
