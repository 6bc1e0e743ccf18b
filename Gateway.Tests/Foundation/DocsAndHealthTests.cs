using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

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

        Assert.Equal(["201", "400", "401", "403", "429", "502", "default"], Statuses("/api/v1/tokens", "post"));
        Assert.Equal(["200", "400", "401", "403", "404", "409", "413", "429", "502", "default"], Statuses("/api/v1/devices/{deviceId}/message", "post"));
        Assert.Equal(["200", "400", "401", "403", "404", "409", "default"], Statuses("/api/v1/webhooks/{webhookId}", "put"));
        Assert.Equal(["101", "400", "401", "403", "default"], Statuses("/api/v1/devices/qr-code", "get"));
        Assert.Equal("application/problem+json", Assert.Single(Responses("/api/v1/webhooks/{webhookId}", "put")["409"]!["content"]!.AsObject()).Key);
        // The 502 of a send carries the per-recipient results.
        var notSent = Responses("/api/v1/devices/{deviceId}/message", "post")["502"]!["content"]!["application/problem+json"]!.ToJsonString();
        Assert.Contains("MessageNotSent", notSent);
    }

    /// <summary>Pinned: a newer release may add rules; moving to it is a change of its own.</summary>
    private const string RedoclyCli = "@redocly/cli@2.77.0";

    [Fact]
    public async Task Redocly_lints_the_served_document_with_its_recommended_rules_without_an_error_or_a_warning()
    {
        var folder = Directory.CreateTempSubdirectory("gateway-openapi-");
        var document = Path.Combine(folder.FullName, "openapi.json");
        // The document's server is the address it was fetched from. Fetched as the test's "localhost", the rule against
        // placeholder servers (example.com, localhost) would warn about it: a deployment's names its own host instead.
        using var http = new HttpClient { BaseAddress = new UriBuilder(app.Api.BaseAddress!) { Host = "127.0.0.1" }.Uri };
        await File.WriteAllTextAsync(document, await http.GetStringAsync("/openapi/v1.json"));

        var lint = await CommandLine.RunAsync("npx", ["--yes", RedoclyCli, "lint", document, "--format=json", "--extends=recommended"],
            workingDirectory: folder.FullName);

        Assert.True(lint.Output.TrimStart().StartsWith('{'), lint.ToString());
        var report = JsonNode.Parse(lint.Output)!;
        var problems = report["problems"]!.AsArray()
            .Select(p => $"{p!["severity"]} {p["ruleId"]} {p["location"]![0]!["pointer"]}: {p["message"]}");
        Assert.True(report["totals"]!["errors"]!.GetValue<int>() == 0 && report["totals"]!["warnings"]!.GetValue<int>() == 0,
            string.Join("\n", problems));
        Assert.Equal(0, lint.ExitCode);
    }

    [Fact]
    public async Task The_openapi_document_introduces_the_product_its_flow_and_its_servers()
    {
        var document = JsonNode.Parse(await app.Api.GetStringAsync("/openapi/v1.json"))!;
        var scalar = await app.Api.GetStringAsync("/scalar");

        Assert.Equal("Gateway", document["info"]!["title"]!.GetValue<string>());
        var description = document["info"]!["description"]!.GetValue<string>();
        Assert.All(["/api/v1/tokens", "/api/v1/devices", "/api/v1/webhooks", "Standard Webhooks"], step => Assert.Contains(step, description));
        Assert.NotNull(document["info"]!["license"]!["name"]);
        Assert.Equal(["Credentials", "Tokens", "Devices", "Messages", "Webhooks"], document["tags"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal(app.Api.BaseAddress!.ToString().TrimEnd('/'), Assert.Single(document["servers"]!.AsArray())!["url"]!.GetValue<string>());
        Assert.Contains("<title>Gateway</title>", scalar);
    }

    [Fact]
    public async Task Every_operation_has_an_id_a_summary_its_security_and_an_example()
    {
        var paths = JsonNode.Parse(await app.Api.GetStringAsync("/openapi/v1.json"))!["paths"]!.AsObject();
        var operations = paths.SelectMany(path => path.Value!.AsObject().Select(op => (Name: $"{op.Key} {path.Key}", Operation: op.Value!))).ToList();
        string Security(string path, string method) =>
            string.Join(",", paths[path]![method]!["security"]!.AsArray().SelectMany(s => s!.AsObject().Select(r => r.Key)));

        Assert.All(operations, op => Assert.False(string.IsNullOrEmpty(op.Operation["operationId"]?.GetValue<string>()), $"{op.Name}: no operationId"));
        Assert.Equal(operations.Count, operations.Select(op => op.Operation["operationId"]!.GetValue<string>()).Distinct().Count());
        Assert.All(operations, op => Assert.False(string.IsNullOrEmpty(op.Operation["summary"]?.GetValue<string>()), $"{op.Name}: no summary"));
        Assert.All(operations.Where(op => op.Operation["responses"]!["101"] is null), op => Assert.True(
            op.Operation["responses"]!.AsObject().Any(r => r.Key.StartsWith('2') && r.Value!["content"]?.AsObject().First().Value!["example"] is not null),
            $"{op.Name}: no example of its answer"));
        Assert.Equal("Basic", Security("/api/v1/tokens", "post"));
        Assert.Equal("Basic", Security("/api/v1/credentials", "get"));
        Assert.Equal("Bearer", Security("/api/v1/devices", "post"));
        Assert.Equal("Bearer", Security("/api/v1/webhooks", "post"));
        Assert.Equal("Bearer", Security("/api/v1/devices/{deviceId}/message", "post"));
        Assert.Equal("QueryToken", Security("/api/v1/devices/qr-code", "get"));
        var created = paths["/api/v1/tokens"]!["post"]!["responses"]!["201"]!["content"]!["application/json"]!["example"]!;
        Assert.StartsWith("mt_", created["token"]!.GetValue<string>());
        var problem = paths["/api/v1/webhooks"]!["post"]!["responses"]!["400"]!["content"]!["application/problem+json"]!;
        Assert.Equal("ProblemResponse", problem["schema"]!["$ref"]!.GetValue<string>().Split('/')[^1]);
        Assert.NotNull(problem["example"]!["error"]);
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
