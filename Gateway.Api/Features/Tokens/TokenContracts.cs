namespace Gateway.Api.Features.Tokens;

public sealed record CreateTokenRequest(bool? UseHost, string? ExpiresAt);

public sealed record TokenCreated(string Message, string Token, int Id);

public sealed record TokenView(
    int Id, bool IsAdmin, bool UseHost, string MatrixUserId, DateTime? ExpiresAt, DateTime? LastUsedAt, DateTime CreatedAt);
