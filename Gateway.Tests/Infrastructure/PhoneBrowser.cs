using Microsoft.Playwright;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Debian's chromium, headless, driven by Playwright (never a browser Playwright downloads: scripts/setup.sh installs
/// chromium; <c>CHROMIUM_PATH</c> points elsewhere). Each page opens in a fresh context sized like a phone.
/// </summary>
public sealed class PhoneBrowser : IAsyncLifetime
{
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        Assert.True(File.Exists(executable), $"No chromium at {executable}: run scripts/setup.sh (or set CHROMIUM_PATH)");
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = executable, Headless = true });
        Assertions.SetDefaultExpectTimeout(15_000); // the machine running the tests is shared and slow
    }

    /// <summary>A new page with a phone's screen; <paramref name="problems"/> collects console errors (a CSP refusal shows there).</summary>
    public async Task<IPage> OpenAsync(Uri url, List<string>? problems = null)
    {
        var context = await browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 390, Height = 844 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
        });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems?.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems?.Add(error);
        await page.GotoAsync(url.ToString());
        return page;
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }
        playwright?.Dispose();
    }
}
