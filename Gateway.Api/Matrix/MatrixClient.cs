using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Api.Matrix;

/// <summary>
/// The Matrix client-server calls the Api makes on behalf of an identity (its access token per call). The Api never
/// syncs: what the homeserver pushes back arrives through the SyncWorker and Redis.
/// </summary>
public sealed class MatrixClient(HttpClient http, UpstreamTime time)
{
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

    /// <summary>Sends a message event; the transaction id makes a retried send land once.</summary>
    public async Task<string> SendMessageAsync(string accessToken, string roomId, JsonObject content, string transactionId, CancellationToken cancellationToken)
    {
        var path = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/{Uri.EscapeDataString(transactionId)}";
        var answer = await SendAsync(HttpMethod.Put, path, accessToken, content, cancellationToken);
        return answer["event_id"]!.GetValue<string>();
    }

    public Task<string> SendTextAsync(string accessToken, string roomId, string text, CancellationToken cancellationToken) =>
        SendMessageAsync(accessToken, roomId, new JsonObject { ["msgtype"] = "m.text", ["body"] = text }, Guid.NewGuid().ToString("N"), cancellationToken);

    public Task JoinAsync(string accessToken, string roomId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/join", accessToken, new JsonObject(), cancellationToken);

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
        var answer = await SendAsync(HttpMethod.Get, $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/joined_members", accessToken, null, cancellationToken);
        return answer["joined"]!.AsObject().Select(member => member.Key).ToHashSet();
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, string accessToken, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return await SendAsync(request, accessToken, cancellationToken);
    }

    private async Task<JsonNode> SendAsync(HttpRequestMessage request, string accessToken, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new MatrixException(response.StatusCode, text);
            }
            return JsonNode.Parse(text) ?? new JsonObject();
        }
        catch (Polly.ExecutionRejectedException e) // the resilience handler timed out, its circuit is open, …
        {
            throw new HttpRequestException("The homeserver did not answer.", e);
        }
        finally
        {
            time.AddHomeserver(Stopwatch.GetElapsedTime(started));
        }
    }
}

/// <summary>The homeserver answered with an error (its <c>errcode</c> and message are in <see cref="Exception.Message"/>).</summary>
public sealed class MatrixException(HttpStatusCode status, string body) : Exception($"Matrix error {(int)status}: {Truncate(body)}")
{
    public HttpStatusCode Status { get; } = status;

    public string? ErrorCode { get; } = TryErrorCode(body);

    private static string Truncate(string body) => body.Length > 300 ? body[..300] : body;

    private static string? TryErrorCode(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["errcode"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
