using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Sandbox;

/// <summary>
/// The real AppHost with the sandbox bridge on, on a random port, with a QR schedule of seconds
/// (a 4 s first code, then three refreshes of 4 s: a login times out after 16 s).
/// </summary>
public sealed class SandboxApp : GatewayApp
{
    public const string Bot = "@whatsappbot:localhost";
    public const string SignalBot = "@signalbot:localhost";
    public static readonly TimeSpan QrWindow = TimeSpan.FromSeconds(16);

    /// <summary>Sends a device may make at once before the gateway's rate limit answers 429 (it refills at 6 a minute).</summary>
    public const int SendBurst = 8;

    /// <summary>How long a sent message can be edited here (WhatsApp's 15 minutes would make a slow test).</summary>
    public static readonly TimeSpan EditWindow = TimeSpan.FromSeconds(8);

    /// <summary>The largest file a send may carry here (1 MiB, so the 413 needs no 100 MiB upload).</summary>
    public const int MaxFileBytes = 1024 * 1024;

    public HttpClient Sandbox { get; private set; } = null!;

    protected override IEnumerable<string> Settings =>
    [
        "--Gateway:Sandbox=true",
        "--Gateway:SandboxPort=0",
        "--Sandbox:Platforms:wa:FirstQrSeconds=4",
        "--Sandbox:Platforms:wa:QrRefreshSeconds=4",
        "--Sandbox:Platforms:wa:QrRefreshes=3",
        "--Messages:RateLimit:Enabled=true",
        $"--Messages:RateLimit:Burst={SendBurst}",
        "--Messages:RateLimit:PerMinute=6",
        $"--Messages:MaxFileBytes={MaxFileBytes}",
        $"--Messages:EditWindowSeconds={EditWindow.TotalSeconds}",
        // A second platform, switched on by configuration alone.
        "--Sandbox:Platforms:signal:Enabled=true",
        "--Sandbox:Platforms:signal:FirstQrSeconds=4",
    ];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await App.ResourceNotifications.WaitForResourceHealthyAsync("sandbox", startup.Token);
        Sandbox = new HttpClient { BaseAddress = App.GetEndpoint("sandbox", "http") };
    }

    /// <summary>A new Matrix user with a management room: a direct room the bot has joined and greeted in.</summary>
    public async Task<SandboxUser> NewUserAsync(string bot = Bot)
    {
        var matrix = await MatrixTestClient.RegisterAsync(HomeserverUrl, MatrixTestClient.SharedSecretOf(this));
        var room = await matrix.CreateDirectRoomAsync(bot);
        await matrix.WaitForMessageAsync(room, bot, body => body.StartsWith("Hello, I'm a "));
        return new SandboxUser(this, matrix, room, bot);
    }

    /// <summary>Whether the sandbox process answers its health endpoint as ready.</summary>
    public async Task<bool> SandboxAnswersAsync()
    {
        try
        {
            using var response = await Sandbox.GetAsync("/health");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public Task<ApiResponse> ControlAsync(HttpMethod method, string path, object? body = null) => Sandbox.CallAsync(method, path, json: body);

    /// <summary>The <c>sent</c> record of an event, or null: the bridge records an event before its status, so ask after that.</summary>
    public async Task<JsonObject?> SentRecordAsync(string device, string eventId) =>
        (await ControlAsync(HttpMethod.Get, $"/sandbox/sent?device_id={device}")).Body!.AsArray()
            .Select(m => m!.AsObject()).FirstOrDefault(m => m["event_id"]!.GetValue<string>() == eventId);

    /// <summary>The LID digits of a DM's chat id (<c>&lt;lid&gt;@lid</c>), checking its shape: 15 digits.</summary>
    public static string LidOf(string chatId)
    {
        Assert.Matches("^[1-9][0-9]{14}@lid$", chatId);
        return chatId[..^"@lid".Length];
    }

    /// <summary>A phone number nobody else in this test run uses.</summary>
    public static string NewPhone() => "2376" + Random.Shared.NextInt64(10_000_000, 99_999_999);
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxApp>
{
    public const string Name = "sandbox";
}
