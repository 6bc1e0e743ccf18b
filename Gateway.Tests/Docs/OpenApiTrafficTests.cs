using System.Net;
using System.Net.Http.Headers;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Sandbox;
using Gateway.Tests.Webhooks;

namespace Gateway.Tests.Docs;

/// <summary>
/// The served OpenAPI document tells the truth about real traffic: a validating proxy (<see cref="OpenApiTraffic"/>) in
/// front of the running Api checks the README's requests and their answers, and the refusals of the error lists,
/// against the document the Api serves. What a generated client sends when its caller gives only what the README
/// gives must be allowed, and what it reads back must be what the document says.
/// </summary>
[Collection(WebhooksCollection.Name)]
public sealed class OpenApiTrafficTests(WebhooksApp app) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.Sandbox.CallAsync(HttpMethod.Delete, "/sandbox/switches");

    [Fact]
    public async Task The_readmes_requests_and_their_answers_are_what_the_served_document_says()
    {
        var traffic = await OpenApiTraffic.OfAsync(app);
        using var api = traffic.Client();
        await using var receiver = await WebhookReceiver.StartAsync();

        // Credentials: created with a description only, listed, updated, given a new secret, deleted.
        var clientId = "readme-" + Guid.NewGuid().ToString("N")[..8];
        Expect(HttpStatusCode.Created, await api.CallAsync(HttpMethod.Post, "/api/v1/credentials", app.SuperAdmin,
            new { client_id = clientId, description = "Production API client" }));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Get, "/api/v1/credentials", app.SuperAdmin));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{clientId}", app.SuperAdmin,
            new { description = "Updated description", active = true, scopes = new[] { "tokens:read:*", "tokens:write:create", "tokens:write:delete" } }));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{clientId}", app.SuperAdmin, new { active = false }));
        var regenerated = Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Put, $"/api/v1/credentials/{clientId}", app.SuperAdmin,
            new { active = true, regenerate_secret = true }));
        var credential = Auth.Basic(clientId, regenerated.Body!["client_secret"]!.GetValue<string>());

        // Tokens: each way the README makes one, with no body at all, listed, deleted.
        var token = Expect(HttpStatusCode.Created, await api.CallAsync(HttpMethod.Post, "/api/v1/tokens", app.SuperAdmin, new { use_host = false }))
            .Body!["token"]!.GetValue<string>();
        Expect(HttpStatusCode.Created, await api.CallAsync(HttpMethod.Post, "/api/v1/tokens", app.SuperAdmin, new { use_host = true }));
        Expect(HttpStatusCode.Created, await api.CallAsync(HttpMethod.Post, "/api/v1/tokens", credential,
            new { use_host = false, expires_at = DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") }));
        var bodiless = Expect(HttpStatusCode.Created, await api.CallAsync(HttpMethod.Post, "/api/v1/tokens", credential));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Get, "/api/v1/tokens", credential));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Delete, $"/api/v1/tokens/{bodiless.Body!["id"]}", credential));
        var bearer = Auth.Bearer(token);

        // Devices: linked by QR, listed.
        var device = await app.LinkDeviceAsync(token, api: api);
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Get, "/api/v1/devices", bearer));

        // Messages: every send of the README, as JSON and as a form.
        string contact = SandboxSteps.NewPhone(), other = SandboxSteps.NewPhone();
        string group = $"https://chat.whatsapp.com/{Guid.NewGuid():N}", otherGroup = $"https://chat.whatsapp.com/{Guid.NewGuid():N}";
        var send = $"/api/v1/devices/{device}/message";
        var first = Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Post, send, bearer, new { contact, platform = "wa", text = "Hello from API" }));
        var messageId = first.Body!["results"]![0]!["message_id"]!.GetValue<string>();
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Post, send, bearer, new { contact = $"{contact}, {other}", platform = "wa", text = "Hello to multiple recipients" }));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Post, send, bearer, new { group_url = group, platform = "wa", text = "Hello group!" }));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Post, send, bearer, new { group_url = $"{group}, {otherGroup}", platform = "wa", text = "Hello to multiple groups!" }));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Post, send, bearer, new { contact, platform = "wa", text = "This is a reply", reply_id = messageId }));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Post, send, bearer, new { group_url = group, platform = "wa", text = "This is a reply in group", reply_id = messageId }));
        Expect(HttpStatusCode.OK, await api.CallFormAsync(HttpMethod.Post, send, bearer, Form(("contact", contact))));
        Expect(HttpStatusCode.OK, await api.CallFormAsync(HttpMethod.Post, send, bearer, Form(("contact", $"{contact}, {other}"))));
        Expect(HttpStatusCode.OK, await api.CallFormAsync(HttpMethod.Post, send, bearer, Form(("group_url", group))));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Get, $"/api/v1/devices/{device}/messages/{messageId}", bearer));

        // What the README does with a message, a location and a number check.
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Post, send, bearer,
            new { contact, platform = "wa", location = new { latitude = 4.0511, longitude = 9.7679, name = "Douala port" } }));
        var onMessage = $"/api/v1/devices/{device}/messages/{messageId}";
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Post, $"{onMessage}/reactions", bearer, new { reaction = "👍" }));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Post, $"{onMessage}/reactions", bearer, new { reaction = "" }));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Put, onMessage, bearer, new { text = "Hello again, corrected" }));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Post, $"{onMessage}/read", bearer));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Delete, onMessage, bearer));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Get, $"/api/v1/devices/{device}/contacts/+{contact}", bearer));

        // Webhooks: created with a URL only, listed, updated with both fields and with one, a delivery listed, deleted.
        var webhook = Expect(HttpStatusCode.Created, await api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", bearer, new { url = receiver.Url.ToString() }));
        var webhookPath = $"/api/v1/webhooks/{webhook.Body!["id"]}";
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", bearer));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Put, webhookPath, bearer, new { url = $"{receiver.Url}moved", active = false }));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Put, webhookPath, bearer, new { url = receiver.Url.ToString() }));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Put, webhookPath, bearer, new { active = true }));
        var incoming = await app.ReceiveAsync(device, contact, "Good morning");
        await receiver.WaitForAsync(1);
        await Eventually.HoldsAsync(async () => (await api.CallAsync(HttpMethod.Get, $"{webhookPath}/deliveries", bearer)).Body!.ToJsonString().Contains("delivered"),
            TimeSpan.FromSeconds(30), () => $"the delivery of {incoming.EventId} is not listed as delivered");
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Delete, webhookPath, bearer));

        // Then the device and the credential go, and a new link's page is opened.
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Delete, "/api/v1/devices", bearer, new { device_id = device, platform = "wa" }));
        Expect(HttpStatusCode.OK, await api.CallAsync(HttpMethod.Delete, $"/api/v1/credentials/{clientId}", app.SuperAdmin));
        var started = Expect(HttpStatusCode.Created, await api.CallAsync(HttpMethod.Post, "/api/v1/devices", bearer, new { platform = "wa" }));
        using var page = await api.GetAsync(new Uri(started.Body!["link_url"]!.GetValue<string>()).AbsolutePath); // HTML, not JSON
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        traffic.AssertNoViolations();
    }

    [Fact]
    public async Task Refused_requests_get_the_problems_the_served_document_says()
    {
        var traffic = await OpenApiTraffic.OfAsync(app);
        using var api = traffic.Client();
        var token = (await app.CreateTokenAsync(app.SuperAdmin)).Token;
        var bearer = Auth.Bearer(token);
        var device = await app.LinkDeviceAsync(token, api: api);
        var send = $"/api/v1/devices/{device}/message";
        var narrow = await app.CreateCredentialAsync(scopes: new[] { "tokens:read:*" });

        // 401 and 403, of both schemes. Failed Basic attempts come from an address of their own (then 429 there), so
        // nobody else's count is touched.
        var guesser = await OpenApiTraffic.OfAsync(app, LoopbackSource.HandlerFrom(LoopbackSource.NewAddress()));
        using var fromElsewhere = guesser.Client();
        Expect(HttpStatusCode.Unauthorized, await fromElsewhere.CallAsync(HttpMethod.Get, "/api/v1/tokens"));
        Expect(HttpStatusCode.Unauthorized, await fromElsewhere.CallWithHeaderAsync(HttpMethod.Get, "/api/v1/credentials", "Basic not-base64"));
        Expect(HttpStatusCode.Unauthorized, await api.CallAsync(HttpMethod.Get, "/api/v1/devices", Auth.Bearer("not-a-matrix-token")));
        Expect(HttpStatusCode.Forbidden, await api.CallAsync(HttpMethod.Get, "/api/v1/webhooks", Auth.Bearer("mt_unknown")));
        Expect(HttpStatusCode.Forbidden, await api.CallAsync(HttpMethod.Post, "/api/v1/tokens", narrow.Auth, new { use_host = false }));
        Expect(HttpStatusCode.Forbidden, await api.CallAsync(HttpMethod.Delete, $"/api/v1/credentials/{app.ClientId}", app.SuperAdmin));

        // 400: missing and malformed fields, bodies that are not JSON objects, the socket asked for without a socket.
        Expect(HttpStatusCode.BadRequest, await api.CallAsync(HttpMethod.Post, "/api/v1/credentials", app.SuperAdmin, new { description = "no id" }));
        Expect(HttpStatusCode.BadRequest, await api.CallRawAsync(HttpMethod.Post, "/api/v1/credentials", app.SuperAdmin, "{not json"));
        Expect(HttpStatusCode.BadRequest, await api.CallAsync(HttpMethod.Post, "/api/v1/tokens", app.SuperAdmin, new { expires_at = "tomorrow" }));
        Expect(HttpStatusCode.BadRequest, await api.CallAsync(HttpMethod.Delete, "/api/v1/tokens/abc", app.SuperAdmin));
        Expect(HttpStatusCode.BadRequest, await api.CallAsync(HttpMethod.Post, "/api/v1/devices", bearer, new { phone_number = "+237123456789" }));
        Expect(HttpStatusCode.BadRequest, await api.CallAsync(HttpMethod.Delete, "/api/v1/devices", bearer, new { platform = "wa" }));
        Expect(HttpStatusCode.BadRequest, await api.CallAsync(HttpMethod.Post, send, bearer, new { contact = "1234567890", text = "no platform" }));
        Expect(HttpStatusCode.BadRequest, await api.CallAsync(HttpMethod.Post, send, bearer, new { platform = "wa", text = "nobody" }));
        Expect(HttpStatusCode.BadRequest, await api.CallRawAsync(HttpMethod.Post, send, bearer, "[1, 2]"));
        Expect(HttpStatusCode.BadRequest, await api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", bearer, new { secret = "whsec_short" }));
        Expect(HttpStatusCode.BadRequest, await api.CallAsync(HttpMethod.Get, $"/api/v1/devices/qr-code?token={token}"));

        // 404: what is not there, or not the caller's.
        Expect(HttpStatusCode.NotFound, await api.CallAsync(HttpMethod.Put, "/api/v1/credentials/nobody-here", app.SuperAdmin, new { active = true }));
        Expect(HttpStatusCode.NotFound, await api.CallAsync(HttpMethod.Delete, "/api/v1/tokens/999999999", app.SuperAdmin));
        Expect(HttpStatusCode.NotFound, await api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{SandboxSteps.NewPhone()}/message", bearer,
            new { contact = "1234567890", platform = "wa", text = "from nowhere" }));
        Expect(HttpStatusCode.NotFound, await api.CallAsync(HttpMethod.Get, $"/api/v1/devices/{device}/messages/$unknown", bearer));
        Expect(HttpStatusCode.NotFound, await api.CallAsync(HttpMethod.Post, $"/api/v1/devices/{device}/messages/$unknown/reactions", bearer, new { reaction = "👍" }));
        Expect(HttpStatusCode.NotFound, await api.CallAsync(HttpMethod.Delete, $"/api/v1/devices/{device}/messages/$unknown", bearer));
        Expect(HttpStatusCode.BadRequest, await api.CallAsync(HttpMethod.Get, $"/api/v1/devices/{device}/contacts/call-me", bearer));
        Expect(HttpStatusCode.BadRequest, await api.CallAsync(HttpMethod.Post, send, bearer,
            new { contact = "1234567890", platform = "wa", location = new { latitude = 91, longitude = 0 } }));
        Expect(HttpStatusCode.NotFound, await api.CallAsync(HttpMethod.Delete, "/api/v1/devices", bearer, new { device_id = SandboxSteps.NewPhone(), platform = "wa" }));
        Expect(HttpStatusCode.NotFound, await api.CallAsync(HttpMethod.Put, "/api/v1/webhooks/999999999", bearer, new { active = false }));
        Expect(HttpStatusCode.NotFound, await api.CallAsync(HttpMethod.Get, "/api/v1/webhooks/999999999/deliveries", bearer));

        // 409: what exists already.
        Expect(HttpStatusCode.Conflict, await api.CallAsync(HttpMethod.Post, "/api/v1/credentials", app.SuperAdmin, new { client_id = narrow.ClientId }));
        var url = $"http://127.0.0.1:9/{Guid.NewGuid():N}";
        Expect(HttpStatusCode.Created, await api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", bearer, new { url }));
        Expect(HttpStatusCode.Conflict, await api.CallAsync(HttpMethod.Post, "/api/v1/webhooks", bearer, new { url }));

        // 413: a JSON body over its limit, to the send endpoint (which lists it) and to one that answers it as any other status.
        var tooLarge = $$"""{"platform":"wa","contact":"1","text":"{{new string('x', 1024 * 1024)}}"}""";
        Expect(HttpStatusCode.RequestEntityTooLarge, await api.CallRawAsync(HttpMethod.Post, send, bearer, tooLarge));
        Expect(HttpStatusCode.RequestEntityTooLarge, await api.CallRawAsync(HttpMethod.Post, "/api/v1/credentials", app.SuperAdmin, tooLarge));

        // 429: the address's failed attempts used up.
        var wrong = Auth.Basic("nobody-" + Guid.NewGuid().ToString("N")[..8], "wrong");
        var refusals = new List<ApiResponse>();
        for (var i = 0; i < 20 && refusals.LastOrDefault()?.Status != HttpStatusCode.TooManyRequests; i++)
        {
            refusals.Add(await fromElsewhere.CallAsync(HttpMethod.Get, "/api/v1/tokens", wrong));
        }
        Expect(HttpStatusCode.TooManyRequests, refusals[^1]);

        // 502: no recipient got the message; its answer carries the results.
        await app.Sandbox.CallAsync(HttpMethod.Post, "/sandbox/switches", json: new { not_on_network = new[] { "2370000000001" } });
        Expect(HttpStatusCode.BadGateway, await api.CallAsync(HttpMethod.Post, send, bearer, new { contact = "2370000000001", platform = "wa", text = "Nobody" }));

        traffic.AssertNoViolations();
        guesser.AssertNoViolations();
    }

    /// <summary>The README's file send: its fields beside a PDF.</summary>
    private static MultipartFormDataContent Form((string Name, string Value) recipient) => new()
    {
        { new StringContent(recipient.Value), recipient.Name },
        { new StringContent("wa"), "platform" },
        { new StringContent("Check out this document"), "text" },
        { new ByteArrayContent(TestFiles.Pdf()) { Headers = { ContentType = new MediaTypeHeaderValue("application/pdf") } }, "file", "document.pdf" },
    };

    private static ApiResponse Expect(HttpStatusCode status, ApiResponse response)
    {
        Assert.True(response.Status == status, $"{response.Raw.RequestMessage?.Method} {response.Raw.RequestMessage?.RequestUri?.AbsolutePath}: "
            + $"{(int)response.Status} {response.Body?.ToJsonString() ?? ""}, not {(int)status}");
        return response;
    }
}
