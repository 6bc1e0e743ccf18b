using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Gateway.SyncWorker.Matrix;

/// <summary>The client-server calls a sync loop makes: long-poll /sync, join invites, read room state, download media.</summary>
public sealed class MatrixSyncClient(HttpClient http)
{
    /// <summary>Only what the worker acts on: messages, memberships and bridge state; no presence, receipts or typing.</summary>
    private const string Filter = """
        {"presence":{"types":[]},"account_data":{"types":[]},
         "room":{"ephemeral":{"types":[]},"account_data":{"types":[]},
                 "state":{"types":["m.bridge","m.room.member"],"lazy_load_members":true},
                 "timeline":{"types":["m.room.message","m.room.member","m.bridge"],"limit":100}}}
        """;

    public static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(30);

    public Task<JsonNode> SyncAsync(string accessToken, string? since, CancellationToken cancellationToken)
    {
        var query = $"?timeout={(int)LongPoll.TotalMilliseconds}&filter={Uri.EscapeDataString(Filter)}"
            + (since is null ? "" : $"&since={Uri.EscapeDataString(since)}");
        return SendAsync(HttpMethod.Get, "/_matrix/client/v3/sync" + query, accessToken, cancellationToken);
    }

    public Task<JsonNode> JoinAsync(string accessToken, string roomId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/join", accessToken, cancellationToken, new JsonObject());

    public async Task<JsonArray> RoomStateAsync(string accessToken, string roomId, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state", accessToken, cancellationToken)).AsArray();

    /// <summary>One page of a room's messages, newest first, going back from <paramref name="from"/> and stopping at <paramref name="to"/>.</summary>
    public async Task<JsonObject> RoomMessagesAsync(string accessToken, string roomId, string from, string to, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/messages?dir=b&limit=100"
            + $"&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}"
            + $"&filter={Uri.EscapeDataString("""{"types":["m.room.message"],"lazy_load_members":true}""")}", accessToken, cancellationToken)).AsObject();

    /// <summary>The bytes and content type behind an <c>mxc://</c> URL, or null when the media repository no longer has them.</summary>
    public async Task<(byte[] Bytes, string? ContentType)?> DownloadMediaAsync(string accessToken, string mxcUrl, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(mxcUrl, UriKind.Absolute, out var mxc) || mxc.Scheme != "mxc" || mxc.AbsolutePath.Length <= 1)
        {
            return null;
        }
        var path = $"{Uri.EscapeDataString(mxc.Authority)}/{Uri.EscapeDataString(mxc.AbsolutePath[1..])}";
        // Authenticated media (Matrix 1.11) first; homeservers that predate it only serve the unauthenticated v3 path.
        using var authenticated = await GetMediaAsync($"/_matrix/client/v1/media/download/{path}", accessToken, cancellationToken);
        if (authenticated.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed
            && (await authenticated.Content.ReadAsStringAsync(cancellationToken)).Contains("M_UNRECOGNIZED", StringComparison.Ordinal))
        {
            using var legacy = await GetMediaAsync($"/_matrix/media/v3/download/{path}", accessToken, cancellationToken);
            return await MediaOfAsync(legacy, cancellationToken);
        }
        return await MediaOfAsync(authenticated, cancellationToken);
    }

    private async Task<HttpResponseMessage> GetMediaAsync(string path, string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await http.SendAsync(request, cancellationToken);
    }

    private static async Task<(byte[] Bytes, string? ContentType)?> MediaOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return null; // deleted or quarantined: the message is still delivered, without its content
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new MatrixRequestException(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        return (await response.Content.ReadAsByteArrayAsync(cancellationToken), response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, string accessToken, CancellationToken cancellationToken, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new MatrixRequestException(response.StatusCode, text);
        }
        return JsonNode.Parse(text)!;
    }
}

public sealed class MatrixRequestException(HttpStatusCode status, string body)
    : Exception($"Matrix error {(int)status}: {(body.Length > 300 ? body[..300] : body)}")
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The access token was revoked or the user deactivated: retrying will not help.</summary>
    public bool TokenRejected => Status == HttpStatusCode.Unauthorized;
}
