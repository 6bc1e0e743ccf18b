using System.Text.Json.Nodes;

namespace Gateway.Tests.Readme;

/// <summary>How the README's marked blocks are read and its shown answers matched (no system needed: seconds).</summary>
public sealed class ReadmeScriptTests
{
    [Fact]
    public void The_quick_start_takes_every_step_from_a_token_to_a_message_on_the_webhook()
    {
        var commands = ReadmePage.Script("quick-start").Select(c => c.Text).ToList();

        string[] steps =
        [
            "curl -X POST http://localhost:8080/api/v1/tokens",
            "curl -X POST http://localhost:8080/api/v1/credentials",
            "curl -X POST http://localhost:8080/api/v1/devices",
            "wscat -c \"ws://localhost:8080/api/v1/devices/qr-code?token=lt_…\"",
            "curl -X POST http://localhost:8081/sandbox/scan",
            "curl -X POST http://localhost:8080/api/v1/devices/237123456789/message",
            "curl -X POST http://localhost:8080/api/v1/webhooks",
            "curl -X POST http://localhost:8081/sandbox/incoming",
        ];
        Assert.All(steps, step => Assert.Contains(commands, c => c.StartsWith(step, StringComparison.Ordinal)));
        Assert.All(ReadmePage.Script("quick-start"), c => Assert.All(c.Shown, s => ShownJson.Parse(s)));
        Assert.NotNull(ShownJson.Parse(ReadmePage.Example("webhook-payload"))["media"]);
    }

    private const string Page = """
        # Title

        <!-- readme-test: demo -->
        ```sh
        # introduces the next command
        curl -X POST http://localhost:8080/a \
          -d '{"x": 1}'
        # {"token":"mt_…","id":1,
        #  "url":"ws://host/x?token=lt_…"}
        # prose that follows

        wscat -c "ws://host/x?token=lt_…"   # a trailing remark
        # {"type":"qr","code":"2@…"}      (again on every refresh)
        # {"type":"success",…}
        ```

        ```sh
        curl http://unmarked
        ```

        <!-- readme-test: demo -->
        ```json
        {"a": 1}
        ```
        """;

    [Fact]
    public void A_marked_shell_block_is_its_commands_as_written_each_with_the_values_its_comments_show()
    {
        var script = ReadmePage.Script("demo", Page);

        Assert.Equal(2, script.Count);
        Assert.Equal("curl -X POST http://localhost:8080/a \\\n  -d '{\"x\": 1}'", script[0].Text);
        Assert.Equal(["{\"token\":\"mt_…\",\"id\":1, \"url\":\"ws://host/x?token=lt_…\"}"], script[0].Shown);
        Assert.Equal(6, script[0].Line);
        Assert.Equal("wscat -c \"ws://host/x?token=lt_…\"   # a trailing remark", script[1].Text);
        Assert.Equal(["{\"type\":\"qr\",\"code\":\"2@…\"}", "{\"type\":\"success\",…}"], script[1].Shown);
        Assert.Empty(ReadmePage.Script("other", Page));
    }

    [Fact]
    public void A_marker_away_from_a_fence_is_an_error_rather_than_a_block_left_out()
    {
        var error = Assert.Throws<FormatException>(() => ReadmePage.Script("demo", "<!-- readme-test: demo -->\n\n```sh\nls\n```\n"));

        Assert.Contains("line 1", error.Message);
    }

    [Fact]
    public void A_shown_answer_binds_its_placeholders_to_the_answer_s_values_the_first_of_each_in_an_answer()
    {
        var shown = ShownJson.Parse("""{"token":"mt_…","qr":"ws://h:1/q?token=lt_…","link":"http://h:1/link/lt_…","at":"…"}""");
        var bindings = new Dictionary<string, string>();

        var mismatch = ShownJson.Mismatch(shown, JsonNode.Parse("""
            {"token":"mt_abc","qr":"ws://h:1/q?token=lt_one","link":"http://h:1/link/lt_two","at":"2026-12-03","extra":true}
            """), bindings);

        Assert.Null(mismatch);
        Assert.Equal(new Dictionary<string, string> { ["mt_…"] = "mt_abc", ["lt_…"] = "lt_one" }, bindings);
        Assert.Equal(["mt_…", "2@…", "$…"], ShownJson.PlaceholdersIn("""x mt_… '{"code": "2@…", "reply_id": "$…"}' mt_…"""));
    }

    [Theory]
    [InlineData("""{"id":1}""", """{"id":2}""", "$.id: 1 was shown, the answer has 2")]
    [InlineData("""{"id":1,"token":"mt_…"}""", """{"id":1}""", "$.token: shown, but not in the answer")]
    [InlineData("""{"token":"mt_…"}""", """{"token":"lt_x"}""", "$.token: \"mt_…\" was shown, the answer has \"lt_x\"")]
    [InlineData("""[{"status":"connected"}]""", """[{"status":"connected"},{"status":"connected"}]""", "$: 1 elements shown, the answer has 2")]
    [InlineData("""{"results":[{"status":"sent"},…]}""", """{"results":[]}""", "$.results: at least 1 elements shown, the answer has 0")]
    [InlineData("""{"results":[{"status":"sent"},…]}""", """{"results":[{"status":"failed"}]}""", "$.results[0].status: \"sent\" was shown, the answer has \"failed\"")]
    public void A_shown_answer_says_where_an_answer_differs(string shown, string actual, string expected) =>
        Assert.Equal(expected, ShownJson.Mismatch(ShownJson.Parse(shown), JsonNode.Parse(actual), new Dictionary<string, string>()));

    [Fact]
    public void More_elements_and_members_may_follow_where_the_page_shows_an_ellipsis()
    {
        var shown = ShownJson.Parse("""{"results":[{"recipient":"1","message_id":"$…"},…],"type":"success",…}""");
        var bindings = new Dictionary<string, string>();

        Assert.Null(ShownJson.Mismatch(shown, JsonNode.Parse("""
            {"results":[{"recipient":"1","status":"sent","message_id":"$e1"},{"recipient":"2","message_id":"$e2"}],"type":"success","more":1}
            """), bindings));
        Assert.Equal("$e1", bindings["$…"]);
    }
}
