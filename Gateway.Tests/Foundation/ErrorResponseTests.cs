using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Foundation;

/// <summary>The error shape of docs/api.md#errors: problem+json, <c>about:blank</c>, the plain <c>error</c>, a <c>trace_id</c>.</summary>
[Collection(FoundationCollection.Name)]
public sealed class ErrorResponseTests(FoundationApp app)
{
    private const string Oops = "Oops! something went wrong. Please try again later.";

    [Fact]
    public async Task A_4xx_is_problem_json_with_the_message_in_detail_and_error()
    {
        var response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", app.SuperAdmin, new { expires_at = "tomorrow" });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.Raw.Content.Headers.ContentType!.MediaType);
        var body = response.Body!;
        Assert.Equal("about:blank", body["type"]!.GetValue<string>());
        Assert.Equal("Bad Request", body["title"]!.GetValue<string>());
        Assert.Equal(400, body["status"]!.GetValue<int>());
        const string error = "Invalid expires_at format. Must be RFC3339 (e.g., 2026-12-31T23:59:59Z)";
        Assert.Equal(error, body["detail"]!.GetValue<string>());
        Assert.Equal(error, response.Error);
        Assert.Matches("^[0-9a-f]{32}$", body["trace_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_frameworks_own_answers_have_the_same_shape()
    {
        var unknown = await app.Api.CallAsync(HttpMethod.Get, "/api/v1/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("application/problem+json", unknown.MediaType);
        Assert.Equal("about:blank", unknown.Body!["type"]!.GetValue<string>());
        Assert.Equal("Not Found", unknown.Error);
        Assert.Matches("^[0-9a-f]{32}$", unknown.Body["trace_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/api/v1/tokens/not-a-number", "Invalid token ID")] // the handler's problem
    [InlineData("/api/v1/no-such-thing", "Not Found")] // the framework's status code page
    public async Task Errors_are_problem_json_even_when_the_client_accepts_only_html(string path, string error)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, path) { Headers = { Authorization = app.SuperAdmin } };
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await app.Api.SendAsync(request);

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(error, body["error"]!.GetValue<string>());
        Assert.Equal("about:blank", body["type"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{32}$", body["trace_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_token_asked_for_while_the_homeserver_hangs_is_502_and_nothing_is_created()
    {
        int TokenCount() { using var db = app.OpenDb(); return db.Tokens.Count(); }
        int IdentityCount() { using var db = app.OpenDb(); return db.MatrixIdentities.Count(); }
        var (tokens, identities) = (TokenCount(), IdentityCount());

        ApiResponse response;
        await using (await app.FreezeAsync("homeserver"))
        {
            response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/tokens", app.SuperAdmin, new { use_host = false });
        }

        Assert.Equal(HttpStatusCode.BadGateway, response.Status);
        Assert.Equal("Could not create the Matrix user: The homeserver is unreachable. Try again later.", response.Body!["detail"]!.GetValue<string>());
        Assert.Equal(Oops, response.Error);
        Assert.Equal((tokens, identities), (TokenCount(), IdentityCount()));
    }

    [Fact]
    public async Task A_5xx_the_gateway_chose_says_why_in_detail_and_oops_in_error()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);

        // This collection runs no bridge: its bot cannot be invited to a management room.
        var response = await app.Api.CallAsync(HttpMethod.Post, "/api/v1/devices", Auth.Bearer(token), new { platform = "wa" });

        Assert.Equal(HttpStatusCode.BadGateway, response.Status);
        var body = response.Body!;
        Assert.Equal("about:blank", body["type"]!.GetValue<string>());
        Assert.Equal("The wa bridge is unavailable. Try again later.", body["detail"]!.GetValue<string>());
        Assert.Equal(Oops, response.Error);
        Assert.Matches("^[0-9a-f]{32}$", body["trace_id"]!.GetValue<string>());
    }
}
