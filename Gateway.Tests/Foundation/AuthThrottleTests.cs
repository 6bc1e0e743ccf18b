using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Foundation;

/// <summary>
/// A gateway whose failed Basic-auth attempts are counted in windows of seconds, so a lockout ends within a test. An
/// address may fail more often than a client id here, so that a client id's lockout can be told from its address's.
/// </summary>
public sealed class AuthThrottleApp : GatewayApp
{
    public const int PerClientId = 3;
    public const int PerAddress = 6;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    protected override IEnumerable<string> Settings =>
    [
        $"--Gateway:Auth:FailedAttempts:PerClientId={PerClientId}",
        $"--Gateway:Auth:FailedAttempts:PerAddress={PerAddress}",
        $"--Gateway:Auth:FailedAttempts:Window={Window}",
    ];
}

[CollectionDefinition(Name)]
public sealed class AuthThrottleCollection : ICollectionFixture<AuthThrottleApp>
{
    public const string Name = "auth-throttle";
}

/// <summary>
/// docs/api.md#limits: failed Basic-auth attempts per client id and address, and per address. Tests that call from the
/// app's own client share 127.0.0.1, so each starts once the windows earlier tests opened have ended; the others call
/// from loopback addresses of their own.
/// </summary>
[Collection(AuthThrottleCollection.Name)]
public sealed class AuthThrottleTests(AuthThrottleApp app)
{
    private const string TooMany = "Too many failed attempts; retry later";

    [Fact]
    public async Task A_client_id_that_used_its_failed_attempts_is_refused_with_429_even_with_its_right_secret()
    {
        await EarlierWindowsEndedAsync();
        var credential = await app.CreateCredentialAsync();
        var wrong = Auth.Basic(credential.ClientId, "wrong");
        for (var i = 0; i < AuthThrottleApp.PerClientId; i++)
        {
            Assert.Equal("invalid credentials", (await ListTokensAsync(wrong)).Error);
        }

        var refused = await ListTokensAsync(wrong);
        var rightSecret = await ListTokensAsync(credential.Auth);
        var otherClient = await ListTokensAsync(Auth.Basic(NewClientId(), "wrong"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal("application/problem+json", refused.MediaType);
        Assert.Equal(TooMany, refused.Error);
        Assert.InRange(refused.Raw.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), AuthThrottleApp.Window + TimeSpan.FromSeconds(1));
        Assert.Equal((HttpStatusCode.TooManyRequests, TooMany), (rightSecret.Status, rightSecret.Error));
        Assert.NotNull(rightSecret.Raw.Headers.RetryAfter);
        // The lockout is the client id's: its address has failed fewer times than it may.
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid credentials"), (otherClient.Status, otherClient.Error));
    }

    [Fact]
    public async Task An_address_that_used_its_failed_attempts_is_refused_with_429_whatever_the_client_id()
    {
        await EarlierWindowsEndedAsync();
        for (var i = 0; i < AuthThrottleApp.PerAddress; i++)
        {
            Assert.Equal("invalid credentials", (await ListTokensAsync(Auth.Basic(NewClientId(), "wrong"))).Error);
        }

        var unknownClient = await ListTokensAsync(Auth.Basic(NewClientId(), "wrong"));
        var malformed = await app.Api.CallWithHeaderAsync(HttpMethod.Get, "/api/v1/tokens", "Basic not-base64!");
        var superAdmin = await ListTokensAsync(app.SuperAdmin);

        Assert.Equal((HttpStatusCode.TooManyRequests, TooMany), (unknownClient.Status, unknownClient.Error));
        Assert.True(unknownClient.Raw.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal((HttpStatusCode.TooManyRequests, TooMany), (malformed.Status, malformed.Error));
        Assert.Equal((HttpStatusCode.TooManyRequests, TooMany), (superAdmin.Status, superAdmin.Error));
    }

    [Fact]
    public async Task Successful_requests_use_none_of_the_failed_attempts()
    {
        await EarlierWindowsEndedAsync();
        var credential = await app.CreateCredentialAsync();
        for (var i = 0; i < AuthThrottleApp.PerAddress + 1; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await ListTokensAsync(credential.Auth)).Status);
        }

        var wrong = Auth.Basic(credential.ClientId, "wrong");
        var failures = new List<ApiResponse>();
        for (var i = 0; i < AuthThrottleApp.PerClientId + 1; i++)
        {
            failures.Add(await ListTokensAsync(wrong));
        }

        Assert.All(failures[..^1], failure => Assert.Equal(HttpStatusCode.Unauthorized, failure.Status));
        Assert.Equal(HttpStatusCode.TooManyRequests, failures[^1].Status);
    }

    [Fact]
    public async Task A_lockout_ends_with_its_window()
    {
        await EarlierWindowsEndedAsync();
        var credential = await app.CreateCredentialAsync();
        for (var i = 0; i < AuthThrottleApp.PerClientId; i++)
        {
            await ListTokensAsync(Auth.Basic(credential.ClientId, "wrong"));
        }
        var refused = await ListTokensAsync(credential.Auth);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);

        await Task.Delay(refused.Raw.Headers.RetryAfter!.Delta!.Value);
        var afterwards = await ListTokensAsync(credential.Auth);

        Assert.Equal(HttpStatusCode.OK, afterwards.Status);
    }

    [Fact]
    public async Task With_redis_down_basic_auth_goes_on_without_the_throttle()
    {
        await app.StopAsync("redis");
        try
        {
            var wrong = await ListTokensAsync(Auth.Basic(app.ClientId, "wrong"));
            var right = await ListTokensAsync(app.SuperAdmin);

            Assert.Equal((HttpStatusCode.Unauthorized, "invalid credentials"), (wrong.Status, wrong.Error));
            Assert.Equal(HttpStatusCode.OK, right.Status);
        }
        finally
        {
            await app.StartAsync("redis");
            // The Api's readiness includes Redis: once it answers, the throttle counts again for the other tests.
            await Eventually.HoldsAsync(async () => (await app.Api.GetAsync("/health")).IsSuccessStatusCode, TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task Guesses_from_one_address_never_lock_the_right_secret_out_from_another()
    {
        var credential = await app.CreateCredentialAsync();
        using var guesser = ClientFrom(NewLoopbackAddress());
        using var owner = ClientFrom(NewLoopbackAddress());
        for (var i = 0; i < AuthThrottleApp.PerAddress; i++)
        {
            await guesser.CallAsync(HttpMethod.Get, "/api/v1/tokens", Auth.Basic(credential.ClientId, "wrong"));
        }
        var guesserAgain = await guesser.CallAsync(HttpMethod.Get, "/api/v1/tokens", credential.Auth);

        var ownerRight = await owner.CallAsync(HttpMethod.Get, "/api/v1/tokens", credential.Auth);
        var superAdmin = await owner.CallAsync(HttpMethod.Get, "/api/v1/tokens", app.SuperAdmin);

        Assert.Equal((HttpStatusCode.TooManyRequests, TooMany), (guesserAgain.Status, guesserAgain.Error));
        Assert.Equal(HttpStatusCode.OK, ownerRight.Status);
        Assert.Equal(HttpStatusCode.OK, superAdmin.Status);
        // The owner's own wrong guesses are counted apart from the guesser's.
        var ownerWrong = await owner.CallAsync(HttpMethod.Get, "/api/v1/tokens", Auth.Basic(credential.ClientId, "wrong"));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid credentials"), (ownerWrong.Status, ownerWrong.Error));
    }

    [Fact]
    public async Task A_hundred_concurrent_wrong_guesses_get_no_more_secrets_checked_than_the_limit()
    {
        var credential = await app.CreateCredentialAsync();
        using var guesser = ClientFrom(NewLoopbackAddress());

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ =>
            guesser.CallAsync(HttpMethod.Get, "/api/v1/tokens", Auth.Basic(credential.ClientId, "wrong"))));

        var checkedSecrets = answers.Count(a => a.Status == HttpStatusCode.Unauthorized);
        Assert.InRange(checkedSecrets, 1, AuthThrottleApp.PerClientId);
        Assert.Equal(100 - checkedSecrets, answers.Count(a => a.Status == HttpStatusCode.TooManyRequests));
    }

    private Task<ApiResponse> ListTokensAsync(System.Net.Http.Headers.AuthenticationHeaderValue auth) =>
        app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", auth);

    private static System.Net.IPAddress NewLoopbackAddress() => LoopbackSource.NewAddress();

    /// <summary>A client whose connections to the Api come from <paramref name="source"/>, as a client on another machine's would.</summary>
    private HttpClient ClientFrom(System.Net.IPAddress source) => new(LoopbackSource.HandlerFrom(source)) { BaseAddress = app.Api.BaseAddress };

    private static string NewClientId() => "nobody-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A window lasts its length plus at most a second (Redis keeps it in whole seconds).</summary>
    private static Task EarlierWindowsEndedAsync() => Task.Delay(AuthThrottleApp.Window + TimeSpan.FromSeconds(2));
}
