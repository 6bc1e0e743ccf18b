using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Docs;

/// <summary>The proxy's judge on a small document of its own, without a running system: what it lets pass and what it names.</summary>
public sealed class OpenApiContractTests
{
    private const string Document = """
        {
          "openapi": "3.1.1",
          "info": { "title": "t", "version": "1" },
          "paths": {
            "/things/{thingId}/notes": {
              "post": {
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/NoteRequest" } },
                    "multipart/form-data": { "schema": { "$ref": "#/components/schemas/NoteRequest" } }
                  }
                },
                "responses": {
                  "201": { "description": "made", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Note" } } } },
                  "400": { "description": "no", "content": { "application/problem+json": { "schema": { "type": "object" } } } }
                }
              }
            },
            "/things/special": {
              "get": { "responses": { "200": { "description": "ok" }, "default": { "description": "any", "content": { "application/problem+json": {} } } } }
            }
          },
          "components": {
            "schemas": {
              "NoteRequest": {
                "type": "object", "required": ["text"],
                "properties": { "text": { "type": "string" }, "pinned": { "type": ["null", "boolean"] } }
              },
              "Note": {
                "type": "object", "required": ["id", "at"],
                "properties": { "id": { "type": "integer" }, "at": { "type": "string", "format": "date-time" }, "by": { "type": "string" } }
              }
            }
          }
        }
        """;

    private static readonly OpenApiContract Contract = OpenApiContract.Parse(Document);

    [Fact]
    public void A_request_and_answer_the_document_allows_pass()
    {
        var problems = Check(HttpMethod.Post, "/things/7/notes", """{"text":"hi"}""", HttpStatusCode.Created, """{"id":1,"at":"2026-04-27T10:00:00Z"}""");

        Assert.Empty(problems);
    }

    [Fact]
    public void A_request_without_a_required_field_that_the_api_took_is_named()
    {
        var problems = Check(HttpMethod.Post, "/things/7/notes", """{"pinned":true}""", HttpStatusCode.Created, """{"id":1,"at":"2026-04-27T10:00:00Z"}""");

        var problem = Assert.Single(problems);
        Assert.StartsWith("POST /things/{thingId}/notes → 201: request at /: ", problem);
        Assert.Contains("\"text\"", problem);
        Assert.EndsWith("(the Api took it)", problem);
    }

    [Fact]
    public void A_request_the_document_forbids_may_be_refused()
    {
        var problems = Check(HttpMethod.Post, "/things/7/notes", """{"pinned":"yes"}""", HttpStatusCode.BadRequest, "{}", "application/problem+json");

        Assert.Empty(problems);
    }

    [Fact]
    public void An_answer_without_a_required_field_or_with_a_wrong_type_is_named()
    {
        var problems = Check(HttpMethod.Post, "/things/7/notes", """{"text":"hi"}""", HttpStatusCode.Created, """{"id":"1","at":"yesterday"}""");

        Assert.Equal(2, problems.Count);
        Assert.All(problems, p => Assert.StartsWith("POST /things/{thingId}/notes → 201: answer at /", p));
        Assert.Contains(problems, p => p.StartsWith("POST /things/{thingId}/notes → 201: answer at /id:"));
        Assert.Contains(problems, p => p.StartsWith("POST /things/{thingId}/notes → 201: answer at /at:") && p.Contains("date-time"));
    }

    [Fact]
    public void A_member_of_an_answer_the_document_does_not_name_is_named()
    {
        var problems = Check(HttpMethod.Post, "/things/7/notes", """{"text":"hi"}""", HttpStatusCode.Created, """{"id":1,"at":"2026-04-27T10:00:00Z","colour":"red"}""");

        Assert.Equal("POST /things/{thingId}/notes → 201: answer at /colour: a member the document does not name", Assert.Single(problems));
    }

    [Fact]
    public void Undocumented_statuses_media_types_and_operations_are_named_and_default_covers_any_status()
    {
        Assert.Equal("POST /things/{thingId}/notes → 409: answer status 409 is not documented",
            Assert.Single(Check(HttpMethod.Post, "/things/7/notes", """{"text":"hi"}""", HttpStatusCode.Conflict, "{}")));
        Assert.Equal("POST /things/{thingId}/notes → 201: answer is text/plain, not one of application/json",
            Assert.Single(Check(HttpMethod.Post, "/things/7/notes", """{"text":"hi"}""", HttpStatusCode.Created, "made", "text/plain")));
        Assert.Equal("DELETE /things/7 → 404: the document has no such operation",
            Assert.Single(Check(HttpMethod.Delete, "/things/7", null, HttpStatusCode.NotFound, "{}", "application/problem+json")));
        Assert.Empty(Check(HttpMethod.Get, "/things/special", null, HttpStatusCode.ServiceUnavailable, "{}", "application/problem+json"));
    }

    [Fact]
    public void A_form_is_read_as_the_object_its_schema_describes()
    {
        using var form = new MultipartFormDataContent { { new StringContent("hi"), "text" }, { new StringContent("true"), "pinned" } };
        form.Add(new ByteArrayContent([1, 2, 3]), "file", "photo.png");
        using var notBoolean = new MultipartFormDataContent { { new StringContent("hi"), "text" }, { new StringContent("maybe"), "pinned" } };

        Assert.Empty(CheckContent(HttpMethod.Post, "/things/7/notes", form, HttpStatusCode.Created, """{"id":1,"at":"2026-04-27T10:00:00Z"}"""));
        Assert.Contains("request at /pinned:",
            Assert.Single(CheckContent(HttpMethod.Post, "/things/7/notes", notBoolean, HttpStatusCode.Created, """{"id":1,"at":"2026-04-27T10:00:00Z"}""")));
    }

    private static List<string> Check(HttpMethod method, string path, string? json, HttpStatusCode status, string answer, string answerType = "application/json") =>
        CheckContent(method, path, json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"), status, answer, answerType);

    private static List<string> CheckContent(HttpMethod method, string path, HttpContent? body, HttpStatusCode status, string answer, string answerType = "application/json")
    {
        var sent = body?.ReadAsByteArrayAsync().GetAwaiter().GetResult() ?? [];
        return [.. Contract.Check(new Exchange(method, new Uri("http://127.0.0.1:5000" + path), body?.Headers.ContentType?.ToString(), sent,
            status, answerType, Encoding.UTF8.GetBytes(answer)))];
    }
}
