using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Sandbox;

/// <summary><c>resolve-identifier</c>: is a number on the network, without opening a chat (bridgev2's fnResolveIdentifier).</summary>
[Collection(SandboxCollection.Name)]
public sealed class ResolveIdentifierTests(SandboxApp app)
{
    [Fact]
    public async Task A_number_on_the_network_is_found_by_its_LID_and_ghost_without_a_portal()
    {
        var user = await app.NewUserAsync();
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var contact = SandboxApp.NewPhone();

        var found = await user.AnswerToAsync($"resolve-identifier +{contact}");

        // A contact the bridge never met has a ghost without a name yet: bridgev2 shows the empty name.
        var match = Regex.Match(Body(found), @"^Found `lid-([0-9]{15})` / \[\]\(https://matrix\.to/#/@whatsapp_lid-\1:localhost\)$");
        Assert.True(match.Success, Body(found));
        var lid = match.Groups[1].Value;
        Assert.Empty((await app.ControlAsync(HttpMethod.Get, $"/sandbox/portals?device_id={device}")).Body!.AsArray());

        // Once the contact wrote, its ghost has a name; the login may be named first and the prefix given, as for start-chat.
        await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "hi" });
        var again = await user.AnswerToAsync($"!wa resolve-identifier {device} {contact}");
        Assert.Equal($"Found `lid-{lid}` / [+{contact}](https://matrix.to/#/@whatsapp_lid-{lid}:localhost)", Body(again));
        var portal = Assert.Single((await app.ControlAsync(HttpMethod.Get, $"/sandbox/portals?device_id={device}")).Body!.AsArray());
        Assert.Equal($"{lid}@lid", portal!["chat_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_number_not_on_the_network_or_not_a_number_fails_with_the_bridge_texts()
    {
        var user = await app.NewUserAsync();
        Assert.Equal("That command requires you to be logged in.", Body(await user.AnswerToAsync("resolve-identifier 237699000000")));
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var nobody = SandboxApp.NewPhone();
        await app.ControlAsync(HttpMethod.Post, "/sandbox/switches", new { not_on_network = new[] { nobody } });
        try
        {
            var notFound = await user.AnswerToAsync($"resolve-identifier {device} +{nobody}");
            Assert.Equal($"Failed to resolve identifier: the server said +{nobody} is not on WhatsApp", Body(notFound));
        }
        finally
        {
            await app.ControlAsync(HttpMethod.Delete, "/sandbox/switches");
        }

        var letters = await user.AnswerToAsync("resolve-identifier someone@example.com");
        Assert.Equal("Failed to resolve identifier: WhatsApp only supports phone numbers as user identifiers. Number looks like email", Body(letters));
        Assert.Equal("Usage: `resolve-identifier <identifier>`", Body(await user.AnswerToAsync("resolve-identifier")));
    }

    private static string Body(JsonObject message) => message["content"]!["body"]!.GetValue<string>();
}
