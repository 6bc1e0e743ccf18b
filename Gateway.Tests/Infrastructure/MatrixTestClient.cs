using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gateway.Shared.Matrix;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A Matrix user as a person's client would be: registered on the test homeserver (Synapse admin registration with the
/// shared secret), creating rooms, sending, and reading what arrives through /sync. Waits poll /sync with a deadline.
/// Its calls go through the gateway's own <see cref="MatrixClient"/>.
/// </summary>
public sealed class MatrixTestClient : IDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);
    private readonly HttpClient http;
    private readonly MatrixClient matrix;
    private readonly string accessToken;
    private readonly Dictionary<string, List<JsonObject>> timelines = [];
    private readonly Dictionary<string, JsonArray> invites = [];
    private string? since;

    private MatrixTestClient(HttpClient http, MatrixLogin login)
    {
        this.http = http;
        matrix = new MatrixClient(http);
        accessToken = login.AccessToken;
        UserId = login.UserId;
    }

    public string UserId { get; }

    /// <summary>Registers a new user with Synapse's shared-secret admin API.</summary>
    public static async Task<MatrixTestClient> RegisterAsync(Uri homeserver, string sharedSecret)
    {
        var http = new HttpClient { BaseAddress = homeserver, Timeout = TimeSpan.FromSeconds(60) };
        var username = "test" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        return new MatrixTestClient(http, await new MatrixClient(http).RegisterAsync(sharedSecret, username, password, CancellationToken.None));
    }

    /// <summary>The registration secret of the homeserver a <see cref="GatewayApp"/> runs (kept in its state folder).</summary>
    public static string SharedSecretOf(GatewayApp app)
    {
        var state = app.App.Services.GetRequiredService<IConfiguration>()["Gateway:StateDirectory"]!;
        return File.ReadAllText(Path.Combine(state, "synapse", "registration_shared_secret")).Trim();
    }

    public Task<string> CreateDirectRoomAsync(string invitee) => matrix.CreateDirectRoomAsync(accessToken, invitee, CancellationToken.None);

    /// <summary>A room made as any client may make one: <paramref name="request"/> is the body of <c>/createRoom</c>.</summary>
    public async Task<string> CreateRoomAsync(JsonObject request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/_matrix/client/v3/createRoom") { Content = JsonContent.Create(request) };
        message.Headers.Authorization = new("Bearer", accessToken);
        using var response = await http.SendAsync(message);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["room_id"]!.GetValue<string>();
    }

    public Task JoinAsync(string roomId) => matrix.JoinAsync(accessToken, roomId, CancellationToken.None);

    public Task<string> SendTextAsync(string roomId, string body) => matrix.SendTextAsync(accessToken, roomId, body, CancellationToken.None);

    public Task<string> SendAsync(string roomId, JsonObject content) =>
        matrix.SendMessageAsync(accessToken, roomId, content, Guid.NewGuid().ToString("N"), CancellationToken.None);

    /// <summary>Any room event (a reaction, say); returns its event id.</summary>
    public Task<string> SendEventAsync(string roomId, string eventType, JsonObject content) =>
        PutAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/{Uri.EscapeDataString(eventType)}/{Guid.NewGuid():N}", content);

    /// <summary>Redacts an event; a refusal of the homeserver (403 without the power to redact it) is thrown.</summary>
    public Task<string> RedactAsync(string roomId, string eventId) =>
        PutAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/redact/{Uri.EscapeDataString(eventId)}/{Guid.NewGuid():N}", new JsonObject());

    private async Task<string> PutAsync(string path, JsonObject body)
    {
        using var message = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) };
        message.Headers.Authorization = new("Bearer", accessToken);
        using var response = await http.SendAsync(message);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["event_id"]!.GetValue<string>();
    }

    public Task<string> UploadAsync(byte[] data, string mimeType, string fileName) =>
        matrix.UploadAsync(accessToken, new MemoryStream(data), data.Length, mimeType, fileName, CancellationToken.None);

    /// <summary>Downloads an <c>mxc://</c> URL through the authenticated media API.</summary>
    public async Task<byte[]> DownloadAsync(string mxcUrl) =>
        (await matrix.DownloadMediaAsync(accessToken, mxcUrl, long.MaxValue, CancellationToken.None)).Bytes
            ?? throw new InvalidOperationException($"{mxcUrl} is not in the media repository");

    /// <summary>The room's current state events.</summary>
    public Task<JsonArray> RoomStateAsync(string roomId) => matrix.RoomStateAsync(accessToken, roomId, CancellationToken.None);

    /// <summary>Waits for an event in <paramref name="roomId"/> that matches, optionally only among those after <paramref name="after"/>.</summary>
    public async Task<JsonObject> WaitForEventAsync(string roomId, Func<JsonObject, bool> match, string? after = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultWait);
        while (true)
        {
            var events = timelines.GetValueOrDefault(roomId) ?? [];
            var start = after is null ? 0 : events.FindIndex(e => e["event_id"]?.GetValue<string>() == after) + 1;
            if (after is null || start > 0)
            {
                if (events.Skip(start).FirstOrDefault(match) is { } found)
                {
                    return found;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                var seen = string.Join("\n", events.Select(e => $"{e["sender"]} {e["type"]} {e["content"]?.ToJsonString()}"));
                throw new TimeoutException($"No matching event in {roomId} after {(timeout ?? DefaultWait).TotalSeconds} s. Seen:\n{seen}");
            }
            await SyncOnceAsync();
        }
    }

    /// <summary>Waits for a message from <paramref name="sender"/> whose body matches.</summary>
    public Task<JsonObject> WaitForMessageAsync(string roomId, string sender, Func<string, bool> body, string? after = null, TimeSpan? timeout = null) =>
        WaitForEventAsync(roomId, e => e["type"]?.GetValue<string>() == "m.room.message" && e["sender"]?.GetValue<string>() == sender
            && e["content"]?["body"]?.GetValue<string>() is { } text && body(text), after, timeout);

    /// <summary>Waits for an invite and returns the room id and the stripped state the invite carries (its member event among it).</summary>
    public async Task<(string RoomId, JsonArray State)> WaitForInviteAsync(Func<string, JsonArray, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultWait);
        while (true)
        {
            foreach (var (roomId, state) in invites)
            {
                if (match(roomId, state))
                {
                    return (roomId, state);
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No matching invite for {UserId} in {(timeout ?? DefaultWait).TotalSeconds} s ({invites.Count} seen).");
            }
            await SyncOnceAsync();
        }
    }

    public IReadOnlyList<JsonObject> Timeline(string roomId) => timelines.GetValueOrDefault(roomId) ?? [];

    private async Task SyncOnceAsync()
    {
        var body = await matrix.SyncAsync(accessToken, since, """{"room":{"timeline":{"limit":200}}}""", TimeSpan.FromSeconds(1), CancellationToken.None);
        since = body["next_batch"]!.GetValue<string>();
        foreach (var (roomId, room) in body["rooms"]?["join"]?.AsObject() ?? [])
        {
            var timeline = timelines.TryGetValue(roomId, out var known) ? known : timelines[roomId] = [];
            foreach (var e in room!["timeline"]?["events"]?.AsArray() ?? [])
            {
                timeline.Add(e!.AsObject().DeepClone().AsObject());
            }
        }
        foreach (var (roomId, room) in body["rooms"]?["invite"]?.AsObject() ?? [])
        {
            invites[roomId] = room!["invite_state"]?["events"]?.AsArray().DeepClone().AsArray() ?? [];
        }
    }

    public void Dispose() => http.Dispose();
}
