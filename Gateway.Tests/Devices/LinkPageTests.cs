using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Web;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Sandbox;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Tests.Devices;

/// <summary>The link page as the person holding the phone sees it, in a real browser.</summary>
[Collection(SandboxCollection.Name)]
public sealed class LinkPageTests(SandboxApp app, PhoneBrowser browser) : IClassFixture<PhoneBrowser>
{
    [Fact]
    public async Task The_post_answer_carries_a_link_url_with_its_own_ticket_that_sees_the_same_frames()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        using var behindTls = new HttpRequestMessage(HttpMethod.Post, "/api/v1/devices")
        {
            Headers = { Authorization = Auth.Bearer(token) },
            Content = JsonContent.Create(new { platform = "wa" }),
        };
        behindTls.Headers.Add("X-Forwarded-Proto", "https");
        using var tlsAnswer = await app.Api.SendAsync(behindTls);
        var tlsLink = new Uri((await tlsAnswer.Content.ReadFromJsonAsync<JsonObject>())!["link_url"]!.GetValue<string>());

        var (socket, page) = await app.StartPageLinkAsync(token);

        Assert.Equal("https", tlsLink.Scheme);
        Assert.Equal("http", page.Scheme);
        Assert.Equal(app.Api.BaseAddress!.Authority, page.Authority);
        Assert.Matches("^/link/lt_[A-Za-z0-9_-]{43}$", page.AbsolutePath);
        Assert.NotEqual(HttpUtility.ParseQueryString(socket.Query)["token"], page.Segments[^1]);
        // The API client's socket and the person's page show the same codes.
        await using var client = await QrSocket.ConnectAsync(socket);
        var onSocket = new List<string>();
        _ = Task.Run(async () =>
        {
            for (var frame = await client.NextFrameAsync(); frame?["type"]?.GetValue<string>() == "qr"; frame = await client.NextFrameAsync())
            {
                lock (onSocket)
                {
                    onSocket.Add(frame["code"]!.GetValue<string>());
                }
            }
        });
        var screen = await browser.OpenAsync(page);
        await Eventually.ValueAsync(() => CodeOnScreenAsync(screen), shown =>
        {
            lock (onSocket)
            {
                return shown is not null && shown == onSocket.LastOrDefault();
            }
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_page_shows_the_live_qr_as_the_bridge_refreshes_it_then_that_the_phone_is_linked()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var (_, url) = await app.StartPageLinkAsync(token);
        var problems = new List<string>();

        var page = await browser.OpenAsync(url, problems);

        var first = await ShowsTheBridgesCodeAsync(page, token, previous: null);
        var refreshed = await ShowsTheBridgesCodeAsync(page, token, previous: first);
        await ExpectOnScreenAsync(page, "Link a device");
        var phone = SandboxApp.NewPhone();
        // The phone scans what is on screen; if the code was refreshed meanwhile it scans the new one.
        await Eventually.HoldsAsync(async () => await CodeOnScreenAsync(page) is { } shown
            && (await app.ScanAsync(shown, phone)).Status == HttpStatusCode.OK, SandboxApp.QrWindow);
        await ExpectOnScreenAsync(page, "Your phone is linked.");
        await ExpectOnScreenAsync(page, $"+{phone}");
        await Expect(page.Locator("#qr-image")).ToBeHiddenAsync();
        Assert.NotEqual(first, refreshed);
        Assert.DoesNotContain(problems, p => p.Contains("Content Security Policy"));
    }

    [Fact]
    public async Task A_reloaded_page_says_plainly_that_the_link_was_already_used()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var (_, url) = await app.StartPageLinkAsync(token);
        var page = await browser.OpenAsync(url);
        await Expect(page.Locator("#qr-image")).ToBeVisibleAsync(); // the page connected: its ticket is spent

        var reload = await page.ReloadAsync();

        Assert.Equal((int)HttpStatusCode.Gone, reload!.Status);
        await ExpectOnScreenAsync(page, "This link has already been used.");
        await Expect(page.Locator("#qr-image")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_link_nobody_opened_in_time_says_it_has_expired()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var (_, url) = await app.StartPageLinkAsync(token);

        // Looking at the page over HTTP (as a link preview does) spends nothing; the ticket runs out on its own.
        await Eventually.HoldsAsync(async () => (await app.Api.GetAsync(url.PathAndQuery)).StatusCode == HttpStatusCode.NotFound,
            SandboxApp.QrWindow + TimeSpan.FromSeconds(30));
        var page = await browser.OpenAsync(url);

        await ExpectOnScreenAsync(page, "This link has expired.");
        await Expect(page.Locator("#qr-image")).ToBeHiddenAsync();
    }

    [Theory]
    [InlineData("/link/lt_nonsense")]
    [InlineData("/link/not-a-ticket-at-all")]
    [InlineData("/link/%E2%9C%93%20%3Cscript%3E")]
    public async Task An_unknown_ticket_gets_the_expired_page_not_an_error(string path)
    {
        var page = await browser.OpenAsync(new Uri(app.Api.BaseAddress!, path));

        await ExpectOnScreenAsync(page, "This link has expired.");
        Assert.Equal((int)HttpStatusCode.NotFound, (await page.ReloadAsync())!.Status);
    }

    [Fact]
    public async Task A_pairing_code_login_shows_the_code_in_large_type_and_then_that_the_phone_is_linked()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var phone = SandboxApp.NewPhone();
        var (_, url) = await app.StartPageLinkAsync(token, $"+{phone}");

        var page = await browser.OpenAsync(url);

        var code = page.Locator("#pairing-code");
        await Expect(code).ToBeVisibleAsync();
        var shown = await code.InnerTextAsync();
        Assert.Equal(await app.CurrentSandboxCodeAsync(token), shown);
        Assert.True(await code.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)") >= 32, "the code is not in large type");
        await ExpectOnScreenAsync(page, "Link with phone number instead");
        var pair = await app.ControlAsync(HttpMethod.Post, "/sandbox/pair", new { code = shown });
        Assert.Equal(HttpStatusCode.OK, pair.Status);
        await ExpectOnScreenAsync(page, "Your phone is linked.");
    }

    [Fact]
    public async Task The_page_is_private_and_a_preview_of_it_spends_nothing()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);
        var (_, url) = await app.StartPageLinkAsync(token);

        using var preview = await app.Api.GetAsync(url.PathAndQuery);
        using var again = await app.Api.GetAsync(url.PathAndQuery);
        var html = await again.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("text/html", again.Content.Headers.ContentType!.MediaType);
        Assert.True(again.Headers.CacheControl!.NoStore);
        Assert.Equal("no-referrer", again.Headers.GetValues("Referrer-Policy").Single());
        var policy = again.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("default-src 'none'; script-src 'nonce-", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.DoesNotContain(token["mt_".Length..], html);
        Assert.Contains("name=\"viewport\"", html);
        // The image address renders only the code the link shows now, not whatever it is given.
        using var forged = await app.Api.GetAsync($"{url.AbsolutePath}/qr.png?code=hello");
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
    }

    [Fact]
    public async Task The_page_is_documented_under_devices_as_needing_no_authentication()
    {
        var document = (await app.Api.CallAsync(HttpMethod.Get, "/openapi/v1.json")).Body!;

        var page = document["paths"]!["/link/{ticket}"]!["get"]!;
        Assert.Equal("GetLinkPage", page["operationId"]!.GetValue<string>());
        Assert.Equal(["Devices"], page["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.False(string.IsNullOrWhiteSpace(page["summary"]?.GetValue<string>()));
        Assert.Equal("[{}]", page["security"]!.ToJsonString()); // the ticket in the path is the credential
        Assert.NotNull(page["responses"]!["200"]!["content"]!["text/html"]);
        Assert.Null(document["paths"]!["/link/{ticket}/qr.png"]);
    }

    /// <summary>Waits until <paramref name="text"/> is on screen (hidden parts of the page do not count).</summary>
    private static Task ExpectOnScreenAsync(IPage page, string text) =>
        Expect(page.Locator("main")).ToContainTextAsync(text, new() { UseInnerText = true });

    /// <summary>Waits until the page shows the code the bridge shows now (one other than <paramref name="previous"/>).</summary>
    private async Task<string> ShowsTheBridgesCodeAsync(IPage page, string token, string? previous)
    {
        var seen = await Eventually.ValueAsync(
            async () => (Shown: await CodeOnScreenAsync(page), Current: await app.CurrentSandboxCodeAsync(token)),
            s => s.Shown is not null && s.Shown == s.Current && s.Shown != previous,
            TimeSpan.FromSeconds(10),
            s => $"the page shows {s.Shown ?? "no readable QR"}, the bridge {s.Current}");
        return seen.Shown!;
    }

    /// <summary>What a phone's camera would read from the QR on screen, or null when none shows.</summary>
    private static async Task<string?> CodeOnScreenAsync(IPage page)
    {
        var image = page.Locator("#qr-image");
        if (!await image.IsVisibleAsync() || !await image.EvaluateAsync<bool>("i => i.complete && i.naturalWidth > 0"))
        {
            return null;
        }
        try
        {
            return QrImage.Decode(await image.ScreenshotAsync(new() { Timeout = 3000 }));
        }
        catch (TimeoutException)
        {
            return null; // the QR gave way to the outcome meanwhile
        }
    }
}
