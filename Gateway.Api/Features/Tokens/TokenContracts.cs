namespace Gateway.Api.Features.Tokens;

/// <summary>The body itself may be left out: a token of a new Matrix user that never expires.</summary>
public sealed record CreateTokenRequest(bool? UseHost = null, string? ExpiresAt = null);

public sealed record TokenCreated(string Message, string Token, int Id);

public sealed record TokenView(
    int Id, bool IsAdmin, bool UseHost, string MatrixUserId, DateTime? ExpiresAt, DateTime? LastUsedAt, DateTime CreatedAt);

/// <summary>What the OpenAPI document shows for each operation.</summary>
internal static class TokenExamples
{
    public static readonly CreateTokenRequest Create = new(UseHost: false, ExpiresAt: "2030-12-31T23:59:59Z");
    public static readonly TokenCreated Created = new("Matrix token created successfully", "mt_3q2-7wEw8lPUpNvN1sbVxS0Zt9K1x4DmLhQ2vB8cYfA", 1);
    public static readonly TokenView[] Listed =
        [new(1, true, false, "@g_3f9a1c2b:matrix.example.com", null, new(2026, 4, 27, 10, 5, 0, DateTimeKind.Utc), new(2026, 4, 27, 10, 0, 0, DateTimeKind.Utc))];
}
