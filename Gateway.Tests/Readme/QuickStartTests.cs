using Gateway.Tests.Infrastructure;
using Gateway.Tests.Sandbox;

namespace Gateway.Tests.Readme;

/// <summary>
/// The README's quick start, run as a user runs it under <c>make run</c>: its own command lines (the blocks marked
/// <c>readme-test: quick-start</c>), so the page cannot drift from the API.
/// </summary>
[Collection(ReadmeCollection.Name)]
public sealed class QuickStartTests(ReadmeApp app)
{
    /// <summary>The fields of the example payload that name this run's events and users, not what the message said.</summary>
    private static readonly string[] WhoAndWhich = ["id", "is_contact", "from", "to"];

    [Fact]
    public async Task The_quick_start_runs_as_written_and_answers_as_its_comments_show()
    {
        await using var yourServer = await WebhookReceiver.StartAsync();
        using var terminal = ReadmeRunner.For(app.ClientId, app.ClientSecret);
        // What a user of the page types instead of its text: the test's ports, its receiver, a file that exists.
        var substitutions = new Dictionary<string, string>
        {
            ["localhost:8080"] = $"localhost:{app.Api.BaseAddress!.Port}",
            ["localhost:8081"] = $"localhost:{app.Sandbox.BaseAddress!.Port}",
            ["https://your-server.com/webhook"] = yourServer.Url.ToString(),
            ["/path/to/document.pdf"] = terminal.AddFile("document.pdf", TestFiles.Pdf()),
        };

        await terminal.RunAsync(ReadmePage.Script("quick-start"), substitutions);

        // The contact's "Good morning" reached the webhook the quick start created, as the page's example shows it.
        var delivery = Assert.Single(await yourServer.WaitForAsync(1));
        var example = ShownJson.Parse(ReadmePage.Example("webhook-payload")).AsObject();
        foreach (var field in WhoAndWhich)
        {
            Assert.True(example.Remove(field), $"the README's example payload has no {field}");
        }
        var mismatch = ShownJson.Mismatch(example, delivery.Json, new Dictionary<string, string>());
        Assert.True(mismatch is null, $"The README's example payload (readme-test: webhook-payload) is not what the webhook got: {mismatch}\n{delivery.Body}");
        delivery.VerifyWith(terminal.Bindings["whsec_…"]);
    }
}
