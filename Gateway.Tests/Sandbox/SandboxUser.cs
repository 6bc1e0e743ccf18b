using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Sandbox;

/// <summary>A Matrix user talking to the sandbox bot in their management room, as the gateway does.</summary>
public sealed class SandboxUser(SandboxApp app, MatrixTestClient matrix, string managementRoom, string bot)
{
    public string Bot { get; } = bot;
    public MatrixTestClient Matrix { get; } = matrix;
    public string ManagementRoom { get; } = managementRoom;

    /// <summary>Sends a command; returns its event id, to wait for what the bot says after it.</summary>
    public Task<string> SayAsync(string command) => Matrix.SendTextAsync(ManagementRoom, command);

    public Task<JsonObject> WaitForBotAsync(Func<string, bool> body, string after, TimeSpan? timeout = null) =>
        Matrix.WaitForMessageAsync(ManagementRoom, Bot, body, after, timeout);

    /// <summary>The bot's first notice after <paramref name="command"/>, whatever it says.</summary>
    public async Task<JsonObject> AnswerToAsync(string command)
    {
        var sent = await SayAsync(command);
        return await WaitForBotAsync(_ => true, sent);
    }

    /// <summary>Links a phone: <c>login qr</c>, then the phone scans whatever code the bot shows now.</summary>
    public async Task<string> LinkDeviceAsync(string phone)
    {
        var command = await SayAsync("login qr");
        var qr = await Matrix.WaitForEventAsync(ManagementRoom, e => IsQrImage(e, Bot), command);
        while (true)
        {
            var code = LatestCode(qr["event_id"]!.GetValue<string>(), qr);
            var scan = await app.ControlAsync(HttpMethod.Post, "/sandbox/scan", new { code, phone });
            if (scan.Status == HttpStatusCode.OK)
            {
                var deviceId = scan.Body!["device_id"]!.GetValue<string>();
                await WaitForBotAsync(b => b == $"Successfully logged in as +{deviceId}", command);
                return deviceId;
            }
            // The code was refreshed under us (a slow machine): read the edit and scan again.
            Assert.Equal(HttpStatusCode.Conflict, scan.Status);
            await Matrix.WaitForEventAsync(ManagementRoom, e => ReplacedEventId(e) == qr["event_id"]!.GetValue<string>()
                && e["content"]!["m.new_content"]!["body"]!.GetValue<string>() != code, command);
        }
    }

    /// <summary>Links a phone with a pairing code: <c>login phone +…</c>, then the phone enters the code the bot shows.</summary>
    public async Task<string> LinkDeviceByCodeAsync(string phone)
    {
        var command = await SayAsync($"login phone +{phone}");
        var code = PairingCodeOf(await WaitForBotAsync(IsPairingCode, command));
        var pair = await app.ControlAsync(HttpMethod.Post, "/sandbox/pair", new { code });
        Assert.Equal(HttpStatusCode.OK, pair.Status);
        await WaitForBotAsync(b => b == $"Successfully logged in as +{phone}", command);
        return pair.Body!["device_id"]!.GetValue<string>();
    }

    /// <summary>The body of the bot's pairing-code notice: <c>`ABCD-EFGH`</c>.</summary>
    public static bool IsPairingCode(string body) => System.Text.RegularExpressions.Regex.IsMatch(body, "^`[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}`$");

    public static string PairingCodeOf(JsonObject notice) => notice["content"]!["body"]!.GetValue<string>().Trim('`');

    /// <summary>
    /// A linked device's chat with a contact who wrote first (<paramref name="text"/>): the portal joined, with the
    /// contact's ghost and message.
    /// </summary>
    public async Task<ContactChat> ChatWithContactAsync(string device, string contact, string text = "Hello from WhatsApp")
    {
        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text });
        var (roomId, ghost) = (incoming.Body!["room_id"]!.GetValue<string>(), incoming.Body!["sender"]!.GetValue<string>());
        await WaitForInviteFromAsync(ghost);
        await Matrix.JoinAsync(roomId);
        return new ContactChat(roomId, ghost, incoming.Body!["event_id"]!.GetValue<string>());
    }

    /// <summary>The bridge's first <c>com.beeper.message_send_status</c> about <paramref name="eventId"/> (its content).</summary>
    public async Task<JsonObject> WaitForStatusAsync(string roomId, string eventId)
    {
        var status = await Matrix.WaitForEventAsync(roomId, e => e["type"]?.GetValue<string>() == "com.beeper.message_send_status"
            && e["content"]?["m.relates_to"]?["event_id"]?.GetValue<string>() == eventId, eventId);
        return status["content"]!.AsObject();
    }

    /// <summary>The bot's notices in reply to <paramref name="eventId"/> seen so far (the bridge's error notices).</summary>
    public IReadOnlyList<string> NoticesAbout(string roomId, string eventId) => [.. Matrix.Timeline(roomId)
        .Where(e => e["sender"]?.GetValue<string>() == Bot && e["content"]?["m.relates_to"]?["m.in_reply_to"]?["event_id"]?.GetValue<string>() == eventId)
        .Select(e => e["content"]!["body"]!.GetValue<string>())];

    /// <summary>Joins a portal the bridge invited us to and returns its <c>m.bridge</c> state content.</summary>
    public async Task<JsonObject> JoinPortalAsync(string roomId)
    {
        await Matrix.JoinAsync(roomId);
        var state = await Matrix.RoomStateAsync(roomId);
        return state.Single(e => e!["type"]!.GetValue<string>() == "m.bridge")!["content"]!.AsObject();
    }

    /// <summary>Waits for an invite from <paramref name="inviter"/> to a room other than <paramref name="known"/>; returns the room and the invite's member event.</summary>
    public async Task<(string RoomId, JsonObject Invite)> WaitForInviteFromAsync(string inviter, params string[] known)
    {
        var (roomId, state) = await Matrix.WaitForInviteAsync((roomId, state) =>
            !known.Contains(roomId) && InviteOf(state)?["sender"]?.GetValue<string>() == inviter);
        return (roomId, InviteOf(state)!);
    }

    private JsonObject? InviteOf(JsonArray state) => state.Select(e => e!.AsObject()).FirstOrDefault(e =>
        e["type"]?.GetValue<string>() == "m.room.member" && e["state_key"]?.GetValue<string>() == Matrix.UserId
        && e["content"]?["membership"]?.GetValue<string>() == "invite");

    public static bool IsQrImage(JsonObject e) => IsQrImage(e, SandboxApp.Bot);

    public static bool IsQrImage(JsonObject e, string bot) =>
        e["type"]?.GetValue<string>() == "m.room.message" && e["sender"]?.GetValue<string>() == bot
        && e["content"]?["msgtype"]?.GetValue<string>() == "m.image" && e["content"]?["filename"]?.GetValue<string>() == "qr.png"
        && e["content"]?["m.relates_to"] is null;

    public static string? ReplacedEventId(JsonObject e) =>
        e["content"]?["m.relates_to"]?["rel_type"]?.GetValue<string>() == "m.replace" ? e["content"]!["m.relates_to"]!["event_id"]!.GetValue<string>() : null;

    /// <summary>The payload on screen: the last edit's new content, else the original image's body.</summary>
    private string LatestCode(string qrEventId, JsonObject qr) =>
        Matrix.Timeline(ManagementRoom).LastOrDefault(e => ReplacedEventId(e) == qrEventId)?["content"]!["m.new_content"]!["body"]!.GetValue<string>()
            ?? qr["content"]!["body"]!.GetValue<string>();
}

/// <summary>A portal the user joined: the contact's ghost and the message it opened the chat with.</summary>
public sealed record ContactChat(string RoomId, string Ghost, string ContactMessage);
