using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A Matrix user as a person's client would be: registered on the test homeserver (Synapse admin registration with the
/// shared secret), creating rooms, sending, and reading what arrives through /sync. Waits poll /sync with a deadline.
/// </summary>
public sealed class MatrixTestClient : IDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);
    private readonly HttpClient http;
    private readonly Dictionary<string, List<JsonObject>> timelines = [];
    private readonly Dictionary<string, JsonArray> invites = [];
    private string? since;

    private MatrixTestClient(Uri homeserver, string userId, string accessToken)
    {
        http = new HttpClient { BaseAddress = homeserver, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        UserId = userId;
    }

    public string UserId { get; }

    /// <summary>Registers a new user with Synapse's shared-secret admin API.</summary>
    public static async Task<MatrixTestClient> RegisterAsync(Uri homeserver, string sharedSecret)
    {
        using var admin = new HttpClient { BaseAddress = homeserver };
        var nonce = (await admin.GetFromJsonAsync<JsonObject>("/_synapse/admin/v1/register"))!["nonce"]!.GetValue<string>();
        var username = "test" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(sharedSecret), Encoding.UTF8.GetBytes($"{nonce}\0{username}\0{password}\0notadmin"));
        using var response = await admin.PostAsJsonAsync("/_synapse/admin/v1/register",
            new { nonce, username, password, mac = Convert.ToHexStringLower(mac), admin = false });
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return new MatrixTestClient(homeserver, body["user_id"]!.GetValue<string>(), body["access_token"]!.GetValue<string>());
    }

    /// <summary>The registration secret of the homeserver a <see cref="GatewayApp"/> runs (kept in its state folder).</summary>
    public static string SharedSecretOf(GatewayApp app)
    {
        var state = app.App.Services.GetRequiredService<IConfiguration>()["Gateway:StateDirectory"]!;
        return File.ReadAllText(Path.Combine(state, "synapse", "registration_shared_secret")).Trim();
    }

    public async Task<string> CreateDirectRoomAsync(string invitee) =>
        (await CallAsync(HttpMethod.Post, "/_matrix/client/v3/createRoom",
            new { invite = new[] { invitee }, is_direct = true, preset = "trusted_private_chat" }))["room_id"]!.GetValue<string>();

    public Task JoinAsync(string roomId) => CallAsync(HttpMethod.Post, $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/join", new { });

    public Task<string> SendTextAsync(string roomId, string body) => SendAsync(roomId, new JsonObject { ["msgtype"] = "m.text", ["body"] = body });

    public async Task<string> SendAsync(string roomId, JsonObject content)
    {
        var path = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/{Guid.NewGuid():N}";
        return (await CallAsync(HttpMethod.Put, path, content))["event_id"]!.GetValue<string>();
    }

    public async Task<string> UploadAsync(byte[] data, string mimeType, string fileName)
    {
        using var content = new ByteArrayContent(data) { Headers = { ContentType = new MediaTypeHeaderValue(mimeType) } };
        using var response = await http.PostAsync($"/_matrix/media/v3/upload?filename={Uri.EscapeDataString(fileName)}", content);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["content_uri"]!.GetValue<string>();
    }

    /// <summary>Downloads an <c>mxc://</c> URL through the authenticated media API.</summary>
    public Task<byte[]> DownloadAsync(string mxcUrl) =>
        http.GetByteArrayAsync($"/_matrix/client/v1/media/download/{mxcUrl["mxc://".Length..]}");

    /// <summary>The room's current state events.</summary>
    public async Task<JsonArray> RoomStateAsync(string roomId)
    {
        using var response = await http.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonArray>())!;
    }

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
        var filter = Uri.EscapeDataString("""{"room":{"timeline":{"limit":200}}}""");
        var path = $"/_matrix/client/v3/sync?timeout=1000&filter={filter}" + (since is null ? "" : $"&since={Uri.EscapeDataString(since)}");
        var body = (await http.GetFromJsonAsync<JsonObject>(path))!;
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

    private async Task<JsonObject> CallAsync(HttpMethod method, string path, object body)
    {
        using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public void Dispose() => http.Dispose();
}
