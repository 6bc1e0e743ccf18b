using Gateway.Sandbox.Bridge;

namespace Gateway.Sandbox.Control;

// Requests and responses of the control API (snake_case on the wire). Every error is {"error": "..."}.

public sealed record ScanRequest(string? Code, string? Phone);

public sealed record Scanned(string Platform, string DeviceId, string UserId, string ManagementRoomId);

public sealed record IncomingRequest(string? DeviceId, string? From, string? Text, string? Group, IncomingMediaRequest? Media,
    string? Platform, bool FromMe = false);

public sealed record IncomingMediaRequest(string? MimeType, string? Base64, string? Filename);

public sealed record IncomingAccepted(string Platform, string DeviceId, string RoomId, string EventId, string Sender,
    string ChatType, string ChatId, bool PortalCreated);

public sealed record LoginView(string Platform, string DeviceId, string UserId, string ManagementRoomId, DateTimeOffset LinkedAt);

public sealed record PendingLoginView(string Platform, string UserId, string RoomId, string? CurrentCode);

public sealed record LoginsView(IReadOnlyList<LoginView> Logins, IReadOnlyList<PendingLoginView> Pending);

public sealed record PortalView(string Platform, string DeviceId, string ChatType, string ChatId, string RoomId, string Name, string UserId)
{
    public static PortalView Of(string platform, Portal p) =>
        new(platform, p.DeviceId, p.Kind == ChatKind.Group ? "group" : "contact", p.ChatId, p.RoomId, p.Name, p.UserId);
}

/// <summary>Omitted fields stay as they are.</summary>
public sealed record SwitchesRequest(bool? FailNextCommand, int? BotDelayMs, bool? DropQrRefreshes, IReadOnlyList<string>? NotOnNetwork);

public sealed record SwitchesView(bool FailNextCommand, int BotDelayMs, bool DropQrRefreshes, IReadOnlyCollection<string> NotOnNetwork)
{
    public static SwitchesView Of(FailureSwitches s) => new(s.FailNextCommand, s.BotDelayMs, s.DropQrRefreshes, s.NotOnNetwork);
}

public sealed record ControlError(string Error);
