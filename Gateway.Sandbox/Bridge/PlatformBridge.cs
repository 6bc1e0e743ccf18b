using System.Text.Json.Nodes;
using Gateway.Sandbox.Matrix;
using Gateway.Sandbox.Platforms;

namespace Gateway.Sandbox.Bridge;

/// <summary>Everything one simulated bridge (one platform, one application service) holds.</summary>
public sealed class PlatformBridge
{
    private readonly TimeProvider clock;

    public PlatformBridge(Platform platform, MatrixClient matrix, FailureSwitches switches, TimeProvider clock, ILoggerFactory loggers)
    {
        this.clock = clock;
        Platform = platform;
        Matrix = matrix;
        Ghosts = new Ghosts(platform, matrix);
        Portals = new Portals(platform, matrix, Ghosts, loggers.CreateLogger<Portals>());
        Sent = new SentMessages(platform.Name, clock);
        Bridged = new BridgedEvents(platform, matrix, Sent);
        Statuses = new MessageStatuses(platform, matrix, switches);
        QrLogins = new QrLogins(this, switches, loggers.CreateLogger<QrLogins>());
        PairingLogins = new PairingLogins(this, clock, loggers.CreateLogger<PairingLogins>());
    }

    public Platform Platform { get; }
    public MatrixClient Matrix { get; }
    public Ghosts Ghosts { get; }
    public Logins Logins { get; } = new();
    public Portals Portals { get; }
    public SentMessages Sent { get; }
    public BridgedEvents Bridged { get; }
    public MessageStatuses Statuses { get; }
    public GhostReactions Reactions { get; } = new();
    public QrLogins QrLogins { get; }
    public PairingLogins PairingLogins { get; }
    public PhoneChats PhoneChats { get; } = new();

    /// <summary>The bot says something in a room (its replies are notices, like every mautrix bot's).</summary>
    public Task<string> SayAsync(string roomId, JsonObject content) =>
        Matrix.SendAsync(null, roomId, "m.room.message", content, CancellationToken.None);

    /// <summary>
    /// A pending login (QR or pairing code) ends: with the phone that scanned or typed its code, or timed out when
    /// <paramref name="phone"/> is null. When another Matrix user had this number, their login is gone without a word
    /// to them and its portals are the new owner's (bridgev2's DeleteOnConflict).
    /// </summary>
    public async Task FinishLoginAsync(PendingLogin pending, string? phone)
    {
        if (phone is null)
        {
            await SayAsync(pending.RoomId, MessageContent.Notice(BotTexts.LoginTimedOut));
            pending.Finish(null);
            return;
        }
        var (login, replaced) = Logins.Link(phone, pending.UserId, pending.RoomId, clock.GetUtcNow());
        if (replaced is not null && replaced.UserId != pending.UserId)
        {
            Portals.TransferTo(phone, pending.UserId);
        }
        await SayAsync(pending.RoomId, MessageContent.Notice(BotTexts.LoginSuccess(phone)));
        pending.Finish(login);
        await CreateExistingPortalsAsync(login);
    }

    /// <summary>
    /// After the login, as bridgev2 does once WhatsApp's history sync names the phone's chats: a portal for each, the user
    /// invited (a portal that exists already only invites a user who is not in it).
    /// </summary>
    private async Task CreateExistingPortalsAsync(Login login)
    {
        var chats = PhoneChats.Of(login.DeviceId);
        foreach (var contact in chats.Contacts)
        {
            var (portal, created) = await Portals.GetOrCreateContactAsync(login, contact);
            if (!created)
            {
                await Portals.EnsureOwnerInvitedAsync(portal);
            }
        }
        foreach (var group in chats.Groups)
        {
            var (portal, created) = await Portals.GetOrCreateGroupAsync(login, group);
            if (!created)
            {
                await Portals.EnsureOwnerInvitedAsync(portal);
            }
        }
    }

    /// <summary>
    /// The phone unlinked this device: the login stays, in BAD_CREDENTIALS, and its owner is told in the management
    /// room. A repeat of the same state says nothing (bridgev2 deduplicates bridge states).
    /// </summary>
    public async Task<Login> UnlinkByPhoneAsync(Login login, string error)
    {
        if (login is { IsConnected: false } && login.StateError == error)
        {
            return login;
        }
        var unlinked = Logins.MarkBadCredentials(login.DeviceId, error) ?? login;
        var state = new JsonObject
        {
            ["state_event"] = unlinked.State,
            ["timestamp"] = clock.GetUtcNow().ToUnixTimeSeconds(),
            ["error"] = error,
            ["message"] = BotTexts.StateMessage(error),
            ["user_id"] = unlinked.UserId,
            ["remote_id"] = unlinked.DeviceId,
            ["remote_name"] = "+" + unlinked.DeviceId,
        };
        await SayAsync(unlinked.ManagementRoomId,
            MessageContent.BridgeStateAlert(BotTexts.StateUpdate(unlinked.DeviceId, unlinked.State, error), state));
        return unlinked;
    }
}
