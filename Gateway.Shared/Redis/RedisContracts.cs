using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Shared.Redis;

/// <summary>
/// Redis names shared by the Api and the SyncWorker. Everything about a user lives under its identity's own
/// channels and keys: one user never subscribes to another's QR codes or bot answers.
/// </summary>
public static class RedisNames
{
    /// <summary>Notices that identities appeared or went away (no payload worth reading, no user data).</summary>
    public const string IdentitiesChannel = "gw:identities";

    /// <summary>Notices that access was taken away (a token, credential or device gone), so Api replicas forget kept grants.</summary>
    public const string AccessRevokedChannel = "gw:access-revoked";

    /// <summary>Notices that webhook deliveries were recorded, to wake the delivery loops; no payload.</summary>
    public const string WebhookDeliveriesChannel = "gw:webhook-deliveries";

    /// <summary>The bridge bots' answers and portal invites seen by the identity's sync loop.</summary>
    public static string BotChannel(int identityId) => $"gw:{identityId}:bot";

    /// <summary>QR, success and error frames of a device link.</summary>
    public static string LinkChannel(int identityId, string platform) => $"gw:{identityId}:link:{platform}";

    /// <summary>The latest link frame, replayed to a socket that connects late.</summary>
    public static string LastLinkFrame(int identityId, string platform) => $"gw:{identityId}:link:{platform}:last";

    /// <summary>Present while a link started by POST /devices waits for its scan.</summary>
    public static string PendingLink(int identityId, string platform) => $"gw:{identityId}:link:{platform}:pending";

    /// <summary>A one-time ticket for the QR WebSocket, by the SHA-256 of its value.</summary>
    public static string LinkTicket(string ticketHashHex) => $"gw:link-ticket:{ticketHashHex}";

    /// <summary>A link ticket that opened its socket, kept for the rest of its window so the link page can say it is spent.</summary>
    public static string SpentLinkTicket(string ticketHashHex) => $"gw:link-ticket:{ticketHashHex}:spent";

    /// <summary>Held while a command to a bridge bot waits for its answer: one command at a time per management room.</summary>
    public static string CommandLock(int identityId, string platform) => $"gw:{identityId}:command:{platform}";

    /// <summary>
    /// The id of the command whose answer the bot still owes, while it does (docs/bridge.md#answers): the next answer
    /// the bot gives is that command's, whoever is waiting.
    /// </summary>
    public static string AwaitedAnswer(int identityId, string platform) => $"gw:{identityId}:command:{platform}:awaited";

    /// <summary>Marks a bot message already taken as an answer, so a replayed sync batch cannot take it again for a later command.</summary>
    public static string AnswerTaken(int identityId, string eventId) => $"gw:{identityId}:answer-taken:{eventId}";

    /// <summary>The token bucket of a device's sends.</summary>
    public static string SendRate(int identityId, string platform, string deviceId) => $"gw:{identityId}:rate:{platform}:{deviceId}";

    /// <summary>
    /// Failed Basic-auth attempts of one client id from one address in the current window, by the id's SHA-256 (the id
    /// is whatever the caller sent, of any length).
    /// </summary>
    public static string FailedAuthOfClient(string clientIdHashHex, string address) => $"gw:auth-failures:client:{clientIdHashHex}:{address}";

    /// <summary>Failed Basic-auth attempts from one client address in the current window.</summary>
    public static string FailedAuthFromAddress(string address) => $"gw:auth-failures:address:{address}";

    /// <summary>Held by the one Api replica that deletes long-expired tokens.</summary>
    public const string TokenCleanupLock = "gw:tokens:cleanup";

    /// <summary>Held by the one Api replica that logs revoked identities' devices out and removes the identities.</summary>
    public const string IdentityRetirementLock = "gw:identities:retire";
}

/// <summary>A WebSocket frame of the device link: <c>qr</c>, <c>code</c>, <c>success</c> or <c>error</c> (docs/api.md#qr-websocket).</summary>
public sealed record LinkFrame(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ExpiresIn = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Platform = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DeviceId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null)
{
    public const string NoPendingLink = "You have no pending devices to add. Add a device and try again.";

    public static LinkFrame Qr(string code, int expiresIn) => new("qr", Code: code, ExpiresIn: expiresIn);
    public static LinkFrame PairingCode(string code, int expiresIn) => new("code", Code: code, ExpiresIn: expiresIn);
    public static LinkFrame Success(string platform, string deviceId) => new("success", Platform: platform, DeviceId: deviceId);
    public static LinkFrame Failure(string error) => new("error", Error: error);

    [JsonIgnore] public bool IsFinal => Type is not ("qr" or "code");

    public string ToJson() => JsonSerializer.Serialize(this, Json.SnakeCase);
    public static LinkFrame? FromJson(string json) => JsonSerializer.Deserialize<LinkFrame>(json, Json.SnakeCase);
}

/// <summary>
/// Something a bridge bot did for an identity, relayed on its bot channel: a message in the management room (with the
/// id of the command it answers, when it is an answer) or a portal invite the identity accepted.
/// </summary>
public sealed record BotNotice(string Platform, string Kind, string RoomId, string? Body = null, string? RemoteId = null, string? AnswerTo = null)
{
    public const string Answer = "answer", PortalJoined = "portal";

    public string ToJson() => JsonSerializer.Serialize(this, Json.SnakeCase);
    public static BotNotice? FromJson(string json) => JsonSerializer.Deserialize<BotNotice>(json, Json.SnakeCase);
}

public static class Json
{
    public static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
