using System.Net;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Foundation;

[Collection(FoundationCollection.Name)]
public sealed class DocsAndHealthTests(FoundationApp app)
{
    [Fact]
    public async Task The_openapi_document_describes_every_endpoint_with_its_auth_scheme()
    {
        var document = JsonNode.Parse(await app.Api.GetStringAsync("/openapi/v1.json"))!;

        var paths = document["paths"]!.AsObject();
        string[] expected = ["/api/v1/credentials", "/api/v1/credentials/{clientId}", "/api/v1/tokens", "/api/v1/tokens/{tokenId}", "/api/v1/devices"];
        Assert.All(expected, path => Assert.True(paths.ContainsKey(path), $"{path} is not documented"));
        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("basic", schemes["Basic"]!["scheme"]!.GetValue<string>());
        Assert.Equal("bearer", schemes["Bearer"]!["scheme"]!.GetValue<string>());
        var createToken = paths["/api/v1/tokens"]!["post"]!;
        Assert.Contains("Basic", createToken["security"]!.ToJsonString());
        Assert.Contains("201", createToken["responses"]!.AsObject().Select(r => r.Key));
        Assert.Contains("Bearer", paths["/api/v1/devices"]!["get"]!["security"]!.ToJsonString());
    }

    [Fact]
    public async Task The_openapi_document_lists_every_answer_an_endpoint_can_give()
    {
        var paths = JsonNode.Parse(await app.Api.GetStringAsync("/openapi/v1.json"))!["paths"]!;
        JsonObject Responses(string path, string method) => paths[path]![method]!["responses"]!.AsObject();
        string[] Statuses(string path, string method) => [.. Responses(path, method).Select(r => r.Key).Order()];

        Assert.Equal(["201", "400", "401", "403", "502"], Statuses("/api/v1/tokens", "post"));
        Assert.Equal(["200", "400", "401", "403", "404", "409", "413", "429", "502"], Statuses("/api/v1/devices/{deviceId}/message", "post"));
        Assert.Equal(["200", "400", "401", "403", "404", "409"], Statuses("/api/v1/webhooks/{webhookId}", "put"));
        Assert.Equal(["400", "401", "403"], Statuses("/api/v1/devices/qr-code", "get"));
        Assert.Equal("application/problem+json", Assert.Single(Responses("/api/v1/webhooks/{webhookId}", "put")["409"]!["content"]!.AsObject()).Key);
        // The 502 of a send carries the per-recipient results.
        var notSent = Responses("/api/v1/devices/{deviceId}/message", "post")["502"]!["content"]!["application/problem+json"]!.ToJsonString();
        Assert.Contains("MessageNotSent", notSent);
    }

    [Theory]
    [InlineData("/docs")]
    [InlineData("/docs/index.html")]
    public async Task The_seed_docs_addresses_lead_to_scalar(string path)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.Api.BaseAddress };

        var response = await http.GetAsync(path);
        var scalar = await app.Api.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/scalar", response.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
        Assert.Contains("text/html", scalar.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task Health_reports_ready_when_postgres_redis_and_the_homeserver_answer()
    {
        var health = await app.Api.GetAsync("/health");
        var alive = await app.Api.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }
}
