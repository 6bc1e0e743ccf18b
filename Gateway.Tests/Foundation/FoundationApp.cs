using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Foundation;

/// <summary>
/// A fresh gateway whose first moments are recorded before any test runs: a use_host token asked for before any
/// host exists, then the first token ever (which becomes the admin and makes its Matrix user the host identity).
/// </summary>
public sealed class FoundationApp : GatewayApp
{
    public ApiResponse UseHostBeforeAnyHost { get; private set; } = null!;
    public ApiResponse FirstToken { get; private set; } = null!;

    protected override bool CollectsTelemetry => true;

    protected override IEnumerable<string> Settings =>
    [
        "--Gateway:Tokens:CleanupInterval=00:00:01",
        // Its tests fail Basic auth on purpose (8 times today), all from one address: too close to the 10 a minute an
        // address may fail. The throttle itself is tested with an app of its own (AuthThrottleTests).
        "--Gateway:Auth:FailedAttempts:PerAddress=1000",
    ];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        UseHostBeforeAnyHost = await Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", SuperAdmin, new { use_host = true });
        FirstToken = await Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", SuperAdmin, new { use_host = false });
    }
}

[CollectionDefinition(Name)]
public sealed class FoundationCollection : ICollectionFixture<FoundationApp>
{
    public const string Name = "foundation";
}
