using Gateway.Shared.Bridges;

namespace Gateway.UnitTests;

/// <summary>The bot's texts as bridgev2 writes them, and which awaited command each may answer.</summary>
public sealed class BotAnswerTests
{
    [Theory]
    [InlineData("Logged out", BotAnswerKind.LoggedOut, BotAnswer.Logout)]
    [InlineData("Login `237612345678` not found", BotAnswerKind.LoginNotFound, BotAnswer.Logout)]
    [InlineData("Successfully joined group `120363012345678901@g.us`, the portal should be created momentarily", BotAnswerKind.GroupJoined, BotAnswer.Join)]
    [InlineData("Failed to join group: info query returned status 409: conflict", BotAnswerKind.GroupFailed, BotAnswer.Join)]
    public void A_command_answer_is_read_as_its_kind_and_answers_its_command(string body, BotAnswerKind kind, string command)
    {
        var answer = BotAnswer.Read(body);

        Assert.Equal(kind, answer.Kind);
        Assert.Equal([command], answer.Answers);
    }

    [Theory]
    [InlineData("Login not found")] // fnJoin without a login
    [InlineData("Usage: `logout <login ID>`\n\nYour logins:\n\n* `237612345678`")]
    [InlineData("That command requires you to be logged in.")]
    public void A_refusal_may_answer_any_awaited_command_a_logout_included(string body)
    {
        var answer = BotAnswer.Read(body);

        Assert.Equal(BotAnswerKind.CommandRefused, answer.Kind);
        Assert.Contains(BotAnswer.Logout, answer.Answers);
    }

    [Theory]
    [InlineData("Logged out of everything")]
    [InlineData("Login `237612345678` not found, but something else")]
    [InlineData("You were logged out")]
    public void Texts_that_only_resemble_a_logout_answer_answer_nothing(string body) =>
        Assert.DoesNotContain(BotAnswer.Logout, BotAnswer.Read(body).Answers);

    [Fact]
    public void The_login_a_logout_did_not_find_is_named() =>
        Assert.Equal("237612345678", BotAnswer.Read("Login `237612345678` not found").DeviceId);

    [Fact]
    public void A_commands_subject_is_carried_in_its_id_and_read_back()
    {
        Assert.Equal("237612345678", BotAnswer.SubjectOf(BotAnswer.CommandId(BotAnswer.Logout, "237612345678")));
        Assert.Null(BotAnswer.SubjectOf(BotAnswer.CommandId(BotAnswer.Join)));
        Assert.StartsWith("logout:", BotAnswer.CommandId(BotAnswer.Logout, "237612345678")); // the worker matches the kind before the first colon
    }
}
