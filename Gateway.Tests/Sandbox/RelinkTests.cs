using System.Net;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Sandbox;

[Collection(SandboxCollection.Name)]
public sealed class RelinkTests(SandboxApp app)
{
    [Fact]
    public async Task A_phone_relinked_by_another_user_moves_silently_with_its_portals()
    {
        var first = await app.NewUserAsync();
        var phone = SandboxApp.NewPhone();
        await first.LinkDeviceAsync(phone);
        var (contact, otherContact) = (SandboxApp.NewPhone(), SandboxApp.NewPhone());
        var dm = await IncomingAsync(phone, contact, "to the first owner");
        var otherDm = await IncomingAsync(phone, otherContact, "also to the first owner");
        foreach (var portal in new[] { dm, otherDm })
        {
            await first.WaitForInviteFromAsync(portal["sender"]!.GetValue<string>());
            await first.Matrix.JoinAsync(portal["room_id"]!.GetValue<string>());
        }
        var lastWord = (await first.AnswerToAsync("help"))["event_id"]!.GetValue<string>();

        var second = await app.NewUserAsync();
        Assert.Equal(phone, await second.LinkDeviceByCodeAsync(phone));

        // The first owner hears nothing and has lost the login; the portals are the second owner's now.
        var logout = await first.AnswerToAsync($"logout {phone}");
        Assert.Equal($"Login `{phone}` not found", Body(logout));
        Assert.Equal(logout["event_id"]!.GetValue<string>(), NextFromBot(first, lastWord)["event_id"]!.GetValue<string>());
        var portals = (await app.ControlAsync(HttpMethod.Get, $"/sandbox/portals?device_id={phone}")).Body!.AsArray();
        Assert.Equal(2, portals.Count);
        Assert.All(portals, p => Assert.Equal(second.Matrix.UserId, p!["user_id"]!.GetValue<string>()));

        // start-chat finds the existing portal and invites its new owner; the old one is still in it.
        var dmRoom = dm["room_id"]!.GetValue<string>();
        var again = await second.AnswerToAsync($"start-chat {contact}");
        Assert.StartsWith("You already have a direct chat with `lid-", Body(again));
        Assert.Contains(Uri.EscapeDataString(dmRoom), Body(again));
        await second.WaitForInviteFromAsync(dm["sender"]!.GetValue<string>());
        Assert.Equal("join", await MembershipAsync(second, dmRoom, first.Matrix.UserId));

        // A message in the other portal brings its invite first.
        var next = await IncomingAsync(phone, otherContact, "to the second owner");
        Assert.Equal(otherDm["room_id"]!.GetValue<string>(), next["room_id"]!.GetValue<string>());
        Assert.False(next["portal_created"]!.GetValue<bool>());
        var (invitedTo, _) = await second.WaitForInviteFromAsync(otherDm["sender"]!.GetValue<string>(), dmRoom);
        Assert.Equal(otherDm["room_id"]!.GetValue<string>(), invitedTo);
        await second.Matrix.JoinAsync(invitedTo);
        await second.Matrix.WaitForMessageAsync(invitedTo, next["sender"]!.GetValue<string>(), b => b == "to the second owner");
    }

    private async Task<JsonNode> IncomingAsync(string device, string from, string text)
    {
        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from, text });
        Assert.Equal(HttpStatusCode.OK, incoming.Status);
        return incoming.Body!;
    }

    private static JsonObject NextFromBot(SandboxUser user, string after) => user.Matrix.Timeline(user.ManagementRoom)
        .SkipWhile(e => e["event_id"]!.GetValue<string>() != after).Skip(1)
        .First(e => e["sender"]?.GetValue<string>() == user.Bot && e["type"]?.GetValue<string>() == "m.room.message");

    private static async Task<string?> MembershipAsync(SandboxUser reader, string roomId, string userId)
    {
        await reader.Matrix.JoinAsync(roomId);
        var state = await reader.Matrix.RoomStateAsync(roomId);
        return state.FirstOrDefault(e => e!["type"]!.GetValue<string>() == "m.room.member" && e["state_key"]!.GetValue<string>() == userId)
            ?["content"]?["membership"]?.GetValue<string>();
    }

    private static string Body(JsonObject message) => message["content"]!["body"]!.GetValue<string>();
}
