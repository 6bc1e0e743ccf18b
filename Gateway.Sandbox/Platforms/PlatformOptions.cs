namespace Gateway.Sandbox.Platforms;

/// <summary>
/// One simulated network, as a mautrix bridge's config would describe it. Defaults for <c>wa</c> and <c>signal</c>
/// live in appsettings.json; the AppHost reads the same file to write the application-service registrations, so a
/// platform is switched on with <c>Sandbox:Platforms:&lt;name&gt;:Enabled=true</c> and nothing else.
/// </summary>
public sealed class PlatformOptions
{
    public bool Enabled { get; set; }
    public string NetworkName { get; set; } = "";
    public string BotLocalpart { get; set; } = "";
    public string BotDisplayName { get; set; } = "";
    /// <summary>Localpart of a ghost; <c>{id}</c> is the contact's id (<c>lid-…</c> or phone digits) or the device's own digits.</summary>
    public string GhostTemplate { get; set; } = "";
    public string CommandPrefix { get; set; } = "";
    /// <summary>The <c>protocol.id</c> of the <c>m.bridge</c> state event.</summary>
    public string ProtocolId { get; set; } = "";
    public string InviteLinkHost { get; set; } = "";
    /// <summary>Appended to the digits to make a contact's chat id (WhatsApp JIDs end in <c>@s.whatsapp.net</c>).</summary>
    public string ContactIdSuffix { get; set; } = "";
    public string GroupIdSuffix { get; set; } = "";
    public string QrInstructions { get; set; } = "";
    /// <summary>The notice before a pairing code; a platform without one has no <c>login phone</c> flow.</summary>
    public string PairingInstructions { get; set; } = "";
    /// <summary>
    /// Contacts are known by an id that is not their number (WhatsApp's LIDs): ghosts are <c>lid-&lt;lid&gt;</c>, DM chat
    /// ids <c>&lt;lid&gt;@lid</c>. Off: the phone digits themselves.
    /// </summary>
    public bool UsesLids { get; set; }
    /// <summary>
    /// What <c>start-chat</c> says after <c>Failed to resolve identifier: </c> for a number with no account
    /// (<c>{phone}</c> = its digits); empty = bridgev2's <c>Identifier `x` not found</c>.
    /// </summary>
    public string NotOnNetworkReason { get; set; } = "";
    /// <summary>
    /// What <c>start-chat</c> and <c>resolve-identifier</c> say after <c>Failed to resolve identifier: </c> for an
    /// identifier with a letter or <c>@</c> (mautrix-whatsapp's ErrInputLooksLikeEmail); empty = taken as a bad number.
    /// </summary>
    public string NotAPhoneNumberReason { get; set; } = "";
    /// <summary>
    /// mautrix's <c>matrix.message_status_events</c>: the bot answers every bridged event with a
    /// <c>com.beeper.message_send_status</c> (off in the bridge's example config; the gateway's deployment turns it on).
    /// </summary>
    public bool MessageStatusEvents { get; set; }
    /// <summary>mautrix's <c>matrix.message_error_notices</c>: a failed event also gets a <c>⚠️ Your message was not bridged</c> notice.</summary>
    public bool MessageErrorNotices { get; set; } = true;
    /// <summary>
    /// The mautrix network connector whose rules for what users send the bridge follows: <c>whatsapp</c>
    /// (capabilities.go, msgconv/from-matrix.go: which files, which MIME types, geo URIs), or empty: it takes any content.
    /// </summary>
    public string Connector { get; set; } = "";
    /// <summary>The network's edit window (capabilities.go EditMaxAge: 15 minutes on WhatsApp, a day on Signal); 0 = none.</summary>
    public int EditMaxAgeSeconds { get; set; }
    public double FirstQrSeconds { get; set; } = 60;
    public double QrRefreshSeconds { get; set; } = 20;
    public int QrRefreshes { get; set; } = 5;

    // Written by the AppHost next to the registration file Synapse loads; never logged.
    public string AppServiceId { get; set; } = "";
    public string AsToken { get; set; } = "";
    public string HsToken { get; set; } = "";
}

public sealed class SandboxOptions
{
    public const string Section = "Sandbox";
    public Dictionary<string, PlatformOptions> Platforms { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Where logins and portals are kept across restarts; none = memory only.</summary>
    public string? StateFile { get; set; }
}

/// <summary>
/// The homeserver the sandbox bridges to (section <c>Matrix</c>, as a mautrix bridge's <c>homeserver</c> config). The
/// sandbox keeps its own settings and client: sharing the gateway's would hide the gateway's bugs.
/// </summary>
public sealed class HomeserverOptions
{
    public const string Section = "Matrix";
    public Uri? HomeserverUrl { get; set; }
    public string ServerName { get; set; } = "localhost";
}
