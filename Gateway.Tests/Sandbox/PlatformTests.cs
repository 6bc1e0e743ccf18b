using System.Net;

namespace Gateway.Tests.Sandbox;

[Collection(SandboxCollection.Name)]
public sealed class PlatformTests(SandboxApp app)
{
    [Fact]
    public async Task Signal_switched_on_by_configuration_has_its_own_bot_and_ghosts()
    {
        var user = await app.NewUserAsync(SandboxApp.SignalBot);
        var device = await user.LinkDeviceAsync(SandboxApp.NewPhone());
        var contact = SandboxApp.NewPhone();

        var incoming = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { platform = "signal", device_id = device, from = contact, text = "over Signal" });

        Assert.Equal(HttpStatusCode.OK, incoming.Status);
        var ghost = $"@signal_{contact}:localhost";
        Assert.Equal(ghost, incoming.Body!["sender"]!.GetValue<string>());
        var (roomId, _) = await user.WaitForInviteFromAsync(ghost);
        var bridge = await user.JoinPortalAsync(roomId);
        Assert.Equal(SandboxApp.SignalBot, bridge["bridgebot"]!.GetValue<string>());
        Assert.Equal("signal", bridge["protocol"]!["id"]!.GetValue<string>());
        await user.Matrix.WaitForMessageAsync(roomId, ghost, b => b == "over Signal");

        var onWhatsApp = await app.ControlAsync(HttpMethod.Post, "/sandbox/incoming", new { device_id = device, from = contact, text = "x" });
        Assert.Equal(HttpStatusCode.NotFound, onWhatsApp.Status); // a Signal login is not a WhatsApp login

        // Without LIDs, a pairing-code flow or a not-on-network text of its own, Signal keeps bridgev2's plain forms.
        Assert.Equal(
            "Invalid login flow `phone`. Available options:\n\n* `qr` - Scan a QR code to pair the bridge to your Signal account",
            (await user.AnswerToAsync("login phone +237612345678"))["content"]!["body"]!.GetValue<string>());
        var nobody = SandboxApp.NewPhone();
        await app.ControlAsync(HttpMethod.Post, "/sandbox/switches", new { not_on_network = new[] { nobody } });
        try
        {
            var notFound = await user.AnswerToAsync($"start-chat {nobody}");
            Assert.Equal($"Identifier `{nobody}` not found", notFound["content"]!["body"]!.GetValue<string>());
            Assert.Equal($"Identifier <code>{nobody}</code> not found", notFound["content"]!["formatted_body"]!.GetValue<string>());
        }
        finally
        {
            await app.ControlAsync(HttpMethod.Delete, "/sandbox/switches");
        }
    }
}
