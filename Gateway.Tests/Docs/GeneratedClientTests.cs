using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Webhooks;

namespace Gateway.Tests.Docs;

/// <summary>
/// The served OpenAPI document is enough for a generator no one here wrote: Kiota (pinned in dotnet-tools.json) makes
/// a C# client from it, and a console program built on that client runs the README's quick start against the real
/// system: a token (Basic), a device linked through the sandbox, a message sent, a webhook received.
/// </summary>
[Collection(WebhooksCollection.Name)]
public sealed partial class GeneratedClientTests(WebhooksApp app)
{
    private const string KiotaPackagesVersion = "2.1.6";

    [Fact]
    public async Task A_kiota_client_generated_from_the_served_document_runs_the_quick_start()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var project = Directory.CreateTempSubdirectory("gateway-kiota-client-");
        var document = Path.Combine(project.FullName, "openapi.json");
        await File.WriteAllTextAsync(document, await app.Api.GetStringAsync("/openapi/v1.json"));

        var generated = await CommandLine.RunAsync("dotnet",
            ["kiota", "generate", "-l", "CSharp", "-d", document, "-o", Path.Combine(project.FullName, "Client"),
             "-c", "GatewayClient", "-n", "QuickStart.Client", "--exclude-backward-compatible"],
            environment: new Dictionary<string, string> { ["KIOTA_UPDATE_DISABLED"] = "true" });
        Assert.True(generated.ExitCode == 0, generated.ToString());
        await File.WriteAllTextAsync(Path.Combine(project.FullName, "QuickStart.csproj"), ProjectFile);
        await File.WriteAllTextAsync(Path.Combine(project.FullName, "Program.cs"), QuickStartProgram);
        var phone = SandboxSteps.NewPhone();
        var contact = SandboxSteps.NewPhone();

        var run = await CommandLine.RunAsync("dotnet",
            ["run", "--project", project.FullName, "--",
             app.Api.BaseAddress!.ToString(), app.ClientId, app.ClientSecret, app.Sandbox.BaseAddress!.ToString(), phone, contact,
             receiver.Url.ToString()],
            workingDirectory: project.FullName, timeout: TimeSpan.FromMinutes(8));

        Assert.True(run.ExitCode == 0, run.ToString());
        var printed = Printed().Matches(run.Output).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());
        Assert.Matches(@"^\d+$", printed["token_id"]);
        Assert.Equal(phone, printed["device_linked"]);
        Assert.Equal(phone, printed["device_listed"]);
        Assert.StartsWith("$", printed["message_id"]);
        Assert.Equal("True", printed["on_network"]);
        Assert.StartsWith("$", printed["reaction_id"]);
        var bridged = await Eventually.ValueAsync(
            async () => (await app.Sandbox.CallAsync(HttpMethod.Get, $"/sandbox/sent?device_id={phone}")).Body!.AsArray(),
            events => events.Any(e => e!["type"]!.GetValue<string>() == "m.reaction"), TimeSpan.FromSeconds(15), events => events.ToJsonString());
        var reaction = bridged.Single(e => e!["type"]!.GetValue<string>() == "m.reaction")!;
        Assert.Equal(("👍", printed["message_id"]), (reaction["key"]!.GetValue<string>(), reaction["relates_to"]!.GetValue<string>()));
        var post = Assert.Single(await receiver.WaitForAsync(1));
        post.VerifyWith(printed["webhook_secret"]);
        Assert.Equal("Hello back from the phone", post.Json["message"]!.GetValue<string>());
        Assert.Equal(phone, post.Json["device_id"]!.GetValue<string>());
    }

    [GeneratedRegex(@"^(\w+)=(.*)$", RegexOptions.Multiline)]
    private static partial Regex Printed();

    private static readonly string ProjectFile = $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Microsoft.Kiota.Abstractions" Version="{KiotaPackagesVersion}" />
            <PackageReference Include="Microsoft.Kiota.Http.HttpClientLibrary" Version="{KiotaPackagesVersion}" />
            <PackageReference Include="Microsoft.Kiota.Serialization.Json" Version="{KiotaPackagesVersion}" />
            <PackageReference Include="Microsoft.Kiota.Serialization.Text" Version="{KiotaPackagesVersion}" />
            <PackageReference Include="Microsoft.Kiota.Serialization.Form" Version="{KiotaPackagesVersion}" />
            <PackageReference Include="Microsoft.Kiota.Serialization.Multipart" Version="{KiotaPackagesVersion}" />
          </ItemGroup>
        </Project>
        """;

    /// <summary>
    /// The README's quick start with the generated client. The QR socket is a WebSocket, which no OpenAPI generator
    /// drives: the program reads it with the BCL's ClientWebSocket, as the README does with websocat, and "scans" with
    /// the sandbox's control API, as the README does with curl.
    /// </summary>
    private const string QuickStartProgram = """
        using System.Net.Http.Headers;
        using System.Net.Http.Json;
        using System.Net.WebSockets;
        using System.Text;
        using System.Text.Json;
        using Microsoft.Kiota.Abstractions.Authentication;
        using Microsoft.Kiota.Http.HttpClientLibrary;
        using QuickStart.Client;
        using QuickStart.Client.Models;

        var (api, clientId, clientSecret, sandbox, phone, contact, webhookUrl) = (args[0], args[1], args[2], args[3], args[4], args[5], args[6]);

        GatewayClient Client(AuthenticationHeaderValue authorization)
        {
            var http = KiotaClientFactory.Create();
            http.DefaultRequestHeaders.Authorization = authorization;
            return new GatewayClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = api.TrimEnd('/') });
        }

        // 1. A token, with the credential's Basic auth.
        var basic = Client(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{clientSecret}"))));
        var token = await basic.Api.V1.Tokens.PostAsync(new CreateTokenRequest { UseHost = false });
        Console.WriteLine($"token_id={token!.Id}");
        var gateway = Client(new AuthenticationHeaderValue("Bearer", token.Token));

        // 2. Link a device: POST /devices, then the QR socket, scanned by the sandbox's phone.
        var started = await gateway.Api.V1.Devices.PostAsync(new AddDeviceRequest { Platform = "wa" });
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(started!.QrCodeUrl!), CancellationToken.None);
        using var sandboxHttp = new HttpClient { BaseAddress = new Uri(sandbox) };
        string? linked = null;
        while (linked is null)
        {
            var buffer = new byte[16 * 1024];
            var received = await socket.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            var frame = JsonDocument.Parse(buffer.AsMemory(0, received.Count)).RootElement;
            switch (frame.GetProperty("type").GetString())
            {
                case "qr":
                    await sandboxHttp.PostAsJsonAsync("/sandbox/scan", new { code = frame.GetProperty("code").GetString(), phone });
                    break;
                case "success":
                    linked = frame.GetProperty("device_id").GetString();
                    break;
                default:
                    throw new InvalidOperationException("Linking failed: " + frame);
            }
        }
        Console.WriteLine($"device_linked={linked}");
        var devices = await gateway.Api.V1.Devices.GetAsync();
        Console.WriteLine($"device_listed={string.Join(",", devices!.Select(d => d.DeviceId))}");

        // 3. A webhook, then a message out and one in.
        var webhook = await gateway.Api.V1.Webhooks.PostAsync(new CreateWebhookRequest { Url = webhookUrl });
        Console.WriteLine($"webhook_secret={webhook!.Secret}");
        var sent = await gateway.Api.V1.Devices[linked].Message.PostAsync(
            new SendMessageRequest { Contact = contact, Platform = "wa", Text = "Hello from API" });
        var messageId = sent!.Results!.Single().MessageId!;
        Console.WriteLine($"message_id={messageId}");

        // 4. Is the contact on WhatsApp, and a reaction to the message sent.
        var check = await gateway.Api.V1.Devices[linked].Contacts[contact].GetAsync();
        Console.WriteLine($"on_network={check!.OnNetwork}");
        var reacted = await gateway.Api.V1.Devices[linked].Messages[messageId].Reactions.PostAsync(new ReactionRequest { Reaction = "👍" });
        Console.WriteLine($"reaction_id={reacted!.EventId}");
        var incoming = await sandboxHttp.PostAsJsonAsync("/sandbox/incoming",
            new { device_id = linked, from = contact, text = "Hello back from the phone" });
        incoming.EnsureSuccessStatusCode();
        """;
}
