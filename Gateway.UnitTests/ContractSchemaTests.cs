using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gateway.Api.Features.Docs;
using Gateway.Api.Startup;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Gateway.UnitTests;

/// <summary>
/// The document's rule for which fields a contract has (<see cref="ContractSchemaTransformer"/>), on contracts made up
/// here: a new contract gets it right by being written as the API's are, with nothing said about its schema.
/// </summary>
public sealed class ContractSchemaTests
{
    public sealed record NoteRequest(string? Title, string? Text = null, [property: Required] string? Kind = null, bool? Pinned = null);

    public sealed record NoteView(
        int Id, string? Text, DateTime CreatedAt, DateTime? EditedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret);

    [Fact]
    public async Task A_request_field_with_a_default_may_be_left_out_and_one_without_or_marked_required_may_not()
    {
        var note = (await DocumentAsync())["components"]!["schemas"]!["NoteRequest"]!;

        Assert.Equal(["kind", "title"], Required(note));
        Assert.Equal(["null", "string"], Types(note["properties"]!["text"]!));
        Assert.Equal(["boolean", "null"], Types(note["properties"]!["pinned"]!));
    }

    [Fact]
    public async Task An_answer_requires_what_it_always_writes_and_not_what_it_leaves_out_when_null()
    {
        var view = (await DocumentAsync())["components"]!["schemas"]!["NoteView"]!;

        Assert.Equal(["created_at", "edited_at", "id", "text"], Required(view));
        Assert.Equal(["null", "string"], Types(view["properties"]!["text"]!));
        Assert.Equal(["string"], Types(view["properties"]!["secret"]!));
    }

    [Fact]
    public async Task A_time_is_a_date_time_string_and_a_nullable_one_may_be_null()
    {
        var properties = (await DocumentAsync())["components"]!["schemas"]!["NoteView"]!["properties"]!;

        Assert.Equal(["string"], Types(properties["created_at"]!));
        Assert.Equal(["null", "string"], Types(properties["edited_at"]!));
        Assert.Equal("date-time", properties["edited_at"]!["format"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_request_example_shows_only_the_fields_it_sends()
    {
        var example = (await DocumentAsync())["paths"]!["/notes"]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]!;

        Assert.Equal("""{"title":"Groceries","kind":"list"}""", example.ToJsonString());
    }

    /// <summary>The document served by an app with the Api's JSON and docs and one endpoint taking and answering the contracts above.</summary>
    private static async Task<JsonNode> DocumentAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddGatewayJson();
        builder.AddDocs();
        await using var app = builder.Build();
        var at = new DateTime(2026, 4, 27, 10, 0, 0, DateTimeKind.Utc);
        app.MapPost("/notes", (NoteRequest request) => TypedResults.Ok(new NoteView(1, request.Text, at, null, null)))
            .WithExample(new NoteRequest("Groceries", Kind: "list"), new NoteView(1, null, at, null, null));
        app.MapOpenApi();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        await app.StopAsync();
        return document;
    }

    private static string[] Required(JsonNode schema) => [.. schema["required"]!.AsArray().Select(n => n!.GetValue<string>()).Order()];

    private static string[] Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray many => [.. many.Select(n => n!.GetValue<string>()).Order()],
        var one => [one!.GetValue<string>()],
    };
}
