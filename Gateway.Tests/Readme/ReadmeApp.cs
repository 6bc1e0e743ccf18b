using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Readme;

/// <summary>
/// The system as <c>make run</c> starts it (scripts/run.sh: the sandbox bridge with its default QR schedule, webhooks
/// to private addresses allowed), on free ports and fresh: the README's quick start begins with the first token ever.
/// </summary>
public sealed class ReadmeApp : GatewayApp
{
    public HttpClient Sandbox { get; private set; } = null!;

    protected override IEnumerable<string> Settings =>
    [
        "--Gateway:Sandbox=true",
        "--Gateway:SandboxPort=0",
        "--Gateway:AllowPrivateWebhooks=true",
    ];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await App.ResourceNotifications.WaitForResourceHealthyAsync("sandbox", startup.Token);
        Sandbox = new HttpClient { BaseAddress = App.GetEndpoint("sandbox", "http") };
    }

    public override async Task DisposeAsync()
    {
        Sandbox?.Dispose();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ReadmeCollection : ICollectionFixture<ReadmeApp>
{
    public const string Name = "readme";
}
