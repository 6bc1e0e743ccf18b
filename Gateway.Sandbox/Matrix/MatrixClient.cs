using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gateway.Sandbox.Matrix;

/// <summary>
/// The client-server API as an application service uses it: every call carries the as_token, and
/// <c>?user_id=</c> makes the homeserver treat it as coming from one of the service's ghosts (masquerading).
/// Without <c>asUser</c> the call comes from the service's bot (its <c>sender_localpart</c>).
/// </summary>
public sealed class MatrixClient(HttpClient http, string asToken)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Registers a user in the service's namespace; one that already exists is fine.</summary>
    public async Task EnsureRegisteredAsync(string localpart, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "/_matrix/client/v3/register", null,
            new { type = "m.login.application_service", username = localpart, inhibit_login = true }, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var error = await MatrixException.FromAsync(response, cancellationToken);
        if (error.ErrCode != "M_USER_IN_USE")
        {
            throw error;
        }
    }

    public async Task<string> WhoAmIAsync(CancellationToken cancellationToken) =>
        (await CallAsync<WhoAmI>(HttpMethod.Get, "/_matrix/client/v3/account/whoami", null, null, cancellationToken)).UserId;

    /// <summary>Asks the homeserver to ping us back; a success also makes it retry transactions it queued while we were down.</summary>
    public Task PingAsync(string appServiceId, CancellationToken cancellationToken) =>
        CallAsync<JsonObject>(HttpMethod.Post, $"/_matrix/client/v1/appservice/{Uri.EscapeDataString(appServiceId)}/ping", null,
            new { transaction_id = "sandbox-startup" }, cancellationToken);

    public Task SetDisplayNameAsync(string userId, string displayName, CancellationToken cancellationToken) =>
        CallAsync<JsonObject>(HttpMethod.Put, $"/_matrix/client/v3/profile/{Uri.EscapeDataString(userId)}/displayname", userId,
            new { displayname = displayName }, cancellationToken);

    public async Task<string> CreateRoomAsync(string? asUser, CreateRoomRequest request, CancellationToken cancellationToken) =>
        (await CallAsync<RoomIdResponse>(HttpMethod.Post, "/_matrix/client/v3/createRoom", asUser, request, cancellationToken)).RoomId;

    public Task JoinAsync(string? asUser, string roomId, CancellationToken cancellationToken) =>
        CallAsync<JsonObject>(HttpMethod.Post, $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/join", asUser, new { }, cancellationToken);

    public Task InviteAsync(string? asUser, string roomId, string userId, CancellationToken cancellationToken) =>
        CallAsync<JsonObject>(HttpMethod.Post, $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/invite", asUser,
            new { user_id = userId }, cancellationToken);

    public async Task<string> SendAsync(string? asUser, string roomId, string eventType, object content, CancellationToken cancellationToken)
    {
        var path = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/{Uri.EscapeDataString(eventType)}/{NewTransactionId()}";
        return (await CallAsync<EventIdResponse>(HttpMethod.Put, path, asUser, content, cancellationToken)).EventId;
    }

    public Task SendStateAsync(string? asUser, string roomId, string eventType, string stateKey, object content, CancellationToken cancellationToken) =>
        CallAsync<EventIdResponse>(HttpMethod.Put,
            $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/{Uri.EscapeDataString(eventType)}/{Uri.EscapeDataString(stateKey)}",
            asUser, content, cancellationToken);

    public async Task<string> RedactAsync(string? asUser, string roomId, string eventId, CancellationToken cancellationToken)
    {
        var path = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/redact/{Uri.EscapeDataString(eventId)}/{NewTransactionId()}";
        return (await CallAsync<EventIdResponse>(HttpMethod.Put, path, asUser, new { }, cancellationToken)).EventId;
    }

    /// <summary>An ordinary (public) read receipt: <paramref name="asUser"/> has read the room up to this event.</summary>
    public Task SendReadReceiptAsync(string asUser, string roomId, string eventId, CancellationToken cancellationToken) =>
        CallAsync<JsonObject>(HttpMethod.Post,
            $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/receipt/m.read/{Uri.EscapeDataString(eventId)}", asUser, new { }, cancellationToken);

    /// <summary>One event of a room, as <paramref name="asUser"/> (a member; null: the bot) sees it; 404 <c>M_NOT_FOUND</c> for none.</summary>
    public Task<MatrixEvent> GetEventAsync(string? asUser, string roomId, string eventId, CancellationToken cancellationToken) =>
        CallAsync<MatrixEvent>(HttpMethod.Get,
            $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/event/{Uri.EscapeDataString(eventId)}", asUser, null, cancellationToken);

    /// <summary>Uploads to the media repository and returns the <c>mxc://</c> URL.</summary>
    public async Task<string> UploadAsync(string? asUser, byte[] data, string mimeType, string fileName, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WithUser($"/_matrix/media/v3/upload?filename={Uri.EscapeDataString(fileName)}", asUser))
        {
            Content = new ByteArrayContent(data) { Headers = { ContentType = MediaTypeHeaderValue.Parse(mimeType) } }, // may carry parameters (codecs=opus)
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", asToken);
        using var response = await http.SendAsync(request, cancellationToken);
        return (await ReadAsync<UploadResponse>(response, cancellationToken)).ContentUri;
    }

    /// <summary>
    /// Reserves an <c>mxc://</c> URL whose content comes later (asynchronous upload, Matrix 1.7), as bridges do for
    /// large files: until the content is uploaded, a download waits and then fails with 504 <c>M_NOT_YET_UPLOADED</c>.
    /// </summary>
    public async Task<string> CreateMediaAsync(string? asUser, CancellationToken cancellationToken) =>
        (await CallAsync<UploadResponse>(HttpMethod.Post, "/_matrix/media/v1/create", asUser, new { }, cancellationToken)).ContentUri;

    private async Task<T> CallAsync<T>(HttpMethod method, string path, string? asUser, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, asUser, body, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? asUser, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, WithUser(path, asUser));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", asToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }
        return await http.SendAsync(request, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await MatrixException.FromAsync(response, cancellationToken);
        }
        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
    }

    private static string WithUser(string path, string? asUser) =>
        asUser is null ? path : $"{path}{(path.Contains('?') ? '&' : '?')}user_id={Uri.EscapeDataString(asUser)}";

    private static string NewTransactionId() => "sandbox" + Guid.NewGuid().ToString("N");

    private sealed record WhoAmI(string UserId);
    private sealed record RoomIdResponse(string RoomId);
    private sealed record EventIdResponse(string EventId);
    private sealed record UploadResponse([property: JsonPropertyName("content_uri")] string ContentUri);
}

/// <summary>A homeserver refusal, with its Matrix error code (<c>M_FORBIDDEN</c>, <c>M_USER_IN_USE</c>, …).</summary>
public sealed class MatrixException(HttpStatusCode status, string errCode, string error)
    : Exception($"Homeserver answered {(int)status} {errCode}: {error}")
{
    public HttpStatusCode Status { get; } = status;
    public string ErrCode { get; } = errCode;
    /// <summary>The homeserver's own words (<c>error</c>).</summary>
    public string Reason { get; } = error;

    public static async Task<MatrixException> FromAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var body = JsonNode.Parse(text);
            return new MatrixException(response.StatusCode, body?["errcode"]?.GetValue<string>() ?? "", body?["error"]?.GetValue<string>() ?? text);
        }
        catch (JsonException)
        {
            return new MatrixException(response.StatusCode, "", text);
        }
    }
}
