using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Shared.Matrix;

/// <summary>
/// The Matrix client-server calls the gateway makes, as one of its users (the access token is passed per call): the
/// Api's sends, uploads, rooms and commands, the SyncWorker's /sync loops, joins, room state and media. Each process
/// configures the <see cref="HttpClient"/> behind it (retries, time accounting, long-poll timeout).
/// </summary>
public sealed class MatrixClient(HttpClient http)
{
    private const string AdminRegisterPath = "/_synapse/admin/v1/register";

    /// <summary>
    /// Registers a user through Synapse's shared-secret admin API: a nonce, then an HMAC-SHA1 over nonce, user name,
    /// password and admin flag keyed with the registration shared secret. The answer is a logged-in session.
    /// </summary>
    public async Task<MatrixLogin> RegisterAsync(string sharedSecret, string username, string password, CancellationToken cancellationToken)
    {
        var nonce = (await SendAsync(HttpMethod.Get, AdminRegisterPath, accessToken: null, body: null, cancellationToken))["nonce"]!.GetValue<string>();
        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(sharedSecret), Encoding.UTF8.GetBytes($"{nonce}\0{username}\0{password}\0notadmin"));
        var body = new JsonObject
        {
            ["nonce"] = nonce,
            ["username"] = username,
            ["password"] = password,
            ["mac"] = Convert.ToHexStringLower(mac),
            ["admin"] = false,
        };
        var answer = await SendAsync(HttpMethod.Post, AdminRegisterPath, accessToken: null, body, cancellationToken);
        return new MatrixLogin(answer["user_id"]!.GetValue<string>(), answer["device_id"]!.GetValue<string>(), answer["access_token"]!.GetValue<string>());
    }

    /// <summary>Ends the session: its access token stops working.</summary>
    public Task LogoutAsync(string accessToken, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "/_matrix/client/v3/logout", accessToken, new JsonObject(), cancellationToken);

    /// <summary>One /sync long-poll: what happened after <paramref name="since"/> (everything, for null), as <paramref name="filter"/> selects.</summary>
    public async Task<JsonObject> SyncAsync(string accessToken, string? since, string filter, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var query = $"?timeout={(int)timeout.TotalMilliseconds}&filter={Uri.EscapeDataString(filter)}"
            + (since is null ? "" : $"&since={Uri.EscapeDataString(since)}");
        return (await SendAsync(HttpMethod.Get, "/_matrix/client/v3/sync" + query, accessToken, null, cancellationToken)).AsObject();
    }

    /// <summary>A private direct room with <paramref name="userId"/> invited (a management room with a bridge bot).</summary>
    public async Task<string> CreateDirectRoomAsync(string accessToken, string userId, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["preset"] = "trusted_private_chat",
            ["is_direct"] = true,
            ["invite"] = new JsonArray(userId),
        };
        var answer = await SendAsync(HttpMethod.Post, "/_matrix/client/v3/createRoom", accessToken, body, cancellationToken);
        return answer["room_id"]!.GetValue<string>();
    }

    public Task JoinAsync(string accessToken, string roomId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{RoomPath(roomId)}/join", accessToken, new JsonObject(), cancellationToken);

    /// <summary>Sends a message event; the transaction id makes a retried send land once.</summary>
    public Task<string> SendMessageAsync(string accessToken, string roomId, JsonObject content, string transactionId, CancellationToken cancellationToken) =>
        SendEventAsync(accessToken, roomId, "m.room.message", content, transactionId, cancellationToken);

    /// <summary>Sends a room event of any type (a reaction is <c>m.reaction</c>); the transaction id makes a retried send land once.</summary>
    public async Task<string> SendEventAsync(string accessToken, string roomId, string type, JsonObject content, string transactionId,
        CancellationToken cancellationToken)
    {
        var path = $"{RoomPath(roomId)}/send/{Uri.EscapeDataString(type)}/{Uri.EscapeDataString(transactionId)}";
        var answer = await SendAsync(HttpMethod.Put, path, accessToken, content, cancellationToken);
        return answer["event_id"]!.GetValue<string>();
    }

    /// <summary>Redacts an event: a message deleted for everyone, or a reaction taken back.</summary>
    public async Task<string> RedactAsync(string accessToken, string roomId, string eventId, string transactionId, CancellationToken cancellationToken)
    {
        var path = $"{RoomPath(roomId)}/redact/{Uri.EscapeDataString(eventId)}/{Uri.EscapeDataString(transactionId)}";
        var answer = await SendAsync(HttpMethod.Put, path, accessToken, new JsonObject(), cancellationToken);
        return answer["event_id"]!.GetValue<string>();
    }

    /// <summary>A public read receipt: the room is read up to <paramref name="eventId"/>.</summary>
    public Task SendReadReceiptAsync(string accessToken, string roomId, string eventId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{RoomPath(roomId)}/receipt/m.read/{Uri.EscapeDataString(eventId)}", accessToken, new JsonObject(), cancellationToken);

    /// <summary>The events of <paramref name="eventType"/> that relate to an event by <paramref name="relType"/> (its reactions, say), at most 100.</summary>
    public async Task<JsonArray> RelationsAsync(string accessToken, string roomId, string eventId, string relType, string eventType,
        CancellationToken cancellationToken)
    {
        var path = $"/_matrix/client/v1/rooms/{Uri.EscapeDataString(roomId)}/relations/{Uri.EscapeDataString(eventId)}/{Uri.EscapeDataString(relType)}"
            + $"/{Uri.EscapeDataString(eventType)}?limit=100";
        return (await SendAsync(HttpMethod.Get, path, accessToken, null, cancellationToken))["chunk"]!.AsArray();
    }

    public Task<string> SendTextAsync(string accessToken, string roomId, string text, CancellationToken cancellationToken) =>
        SendMessageAsync(accessToken, roomId, new JsonObject { ["msgtype"] = "m.text", ["body"] = text }, Guid.NewGuid().ToString("N"), cancellationToken);

    /// <summary>Streams a file into the media repository and returns its <c>mxc://</c> URL.</summary>
    public async Task<string> UploadAsync(string accessToken, Stream content, long length, string contentType, string fileName, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/_matrix/media/v3/upload?filename={Uri.EscapeDataString(fileName)}")
        {
            Content = new StreamContent(content) { Headers = { ContentType = MediaTypeHeaderValue.Parse(contentType), ContentLength = length } },
        };
        var answer = await SendAsync(request, accessToken, cancellationToken);
        return answer["content_uri"]!.GetValue<string>();
    }

    public async Task<IReadOnlySet<string>> JoinedMembersAsync(string accessToken, string roomId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Get, $"{RoomPath(roomId)}/joined_members", accessToken, null, cancellationToken);
        return answer["joined"]!.AsObject().Select(member => member.Key).ToHashSet();
    }

    /// <summary>One event of a room, as the homeserver stored it.</summary>
    public async Task<JsonObject> EventAsync(string accessToken, string roomId, string eventId, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, $"{RoomPath(roomId)}/event/{Uri.EscapeDataString(eventId)}", accessToken, null, cancellationToken)).AsObject();

    /// <summary>The room's current state events.</summary>
    public async Task<JsonArray> RoomStateAsync(string accessToken, string roomId, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, $"{RoomPath(roomId)}/state", accessToken, null, cancellationToken)).AsArray();

    /// <summary>One page of a room's messages, newest first, going back from <paramref name="from"/> and stopping at <paramref name="to"/>.</summary>
    public async Task<JsonObject> RoomMessagesAsync(string accessToken, string roomId, string from, string to, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, $"{RoomPath(roomId)}/messages?dir=b&limit=100"
            + $"&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}"
            + $"&filter={Uri.EscapeDataString("""{"types":["m.room.message"],"lazy_load_members":true}""")}", accessToken, null, cancellationToken)).AsObject();

    /// <summary>
    /// The file behind an <c>mxc://</c> URL, read as it streams in and abandoned as soon as it passes
    /// <paramref name="maxBytes"/>, so a file of any size costs at most that much memory.
    /// </summary>
    public async Task<MediaDownload> DownloadMediaAsync(string accessToken, string mxcUrl, long maxBytes, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(mxcUrl, UriKind.Absolute, out var mxc) || mxc.Scheme != "mxc" || mxc.AbsolutePath.Length <= 1)
        {
            return MediaDownload.Gone;
        }
        var path = $"{Uri.EscapeDataString(mxc.Authority)}/{Uri.EscapeDataString(mxc.AbsolutePath[1..])}";
        // Authenticated media (Matrix 1.11) first; homeservers that predate it only serve the unauthenticated v3 path.
        using var authenticated = await GetMediaAsync($"/_matrix/client/v1/media/download/{path}", accessToken, cancellationToken);
        if (authenticated.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed
            && (await authenticated.Content.ReadAsStringAsync(cancellationToken)).Contains("M_UNRECOGNIZED", StringComparison.Ordinal))
        {
            using var legacy = await GetMediaAsync($"/_matrix/media/v3/download/{path}", accessToken, cancellationToken);
            return await MediaOfAsync(legacy, maxBytes, cancellationToken);
        }
        return await MediaOfAsync(authenticated, maxBytes, cancellationToken);
    }

    private static string RoomPath(string roomId) => $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}";

    private async Task<HttpResponseMessage> GetMediaAsync(string path, string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private static async Task<MediaDownload> MediaOfAsync(HttpResponseMessage response, long maxBytes, CancellationToken cancellationToken)
    {
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return MediaDownload.Gone; // deleted or quarantined: the message is still delivered, without its content
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new MatrixException(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            return MediaDownload.TooLarge;
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var file = new MemoryStream((int)Math.Min(response.Content.Headers.ContentLength ?? 0, Array.MaxLength)); // no regrowing when the length is known
        var buffer = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (file.Length + read > maxBytes)
            {
                return MediaDownload.TooLarge; // a length the headers did not announce, or announced wrong
            }
            file.Write(buffer, 0, read);
        }
        // The buffer itself when it is exactly full (the announced length was right): a file is not copied once more.
        var bytes = file.Length == file.Capacity ? file.GetBuffer() : file.ToArray();
        return new MediaDownload(bytes, response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, string? accessToken, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return await SendAsync(request, accessToken, cancellationToken);
    }

    private async Task<JsonNode> SendAsync(HttpRequestMessage request, string? accessToken, CancellationToken cancellationToken)
    {
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new MatrixException(response.StatusCode, text);
        }
        return string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject(); // logout may answer nothing
    }
}
