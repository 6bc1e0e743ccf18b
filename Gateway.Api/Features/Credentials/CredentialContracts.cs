using Gateway.Shared.Data;
using Gateway.Shared.Redis;

namespace Gateway.Api.Features.Credentials;

/// <summary>Left out: no description, and a user's default scopes.</summary>
public sealed record CreateCredentialRequest(string? ClientId, string? Description = null, List<string>? Scopes = null);

/// <summary>Omitted (or null) fields stay as they are.</summary>
public sealed record UpdateCredentialRequest(string? Description = null, bool? Active = null, List<string>? Scopes = null, bool? RegenerateSecret = null);

public sealed record CredentialView(
    string ClientId, string Role, IReadOnlyList<string> Scopes, string? Description, bool Active, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static CredentialView Of(Credential c) => new(c.ClientId, c.Role, c.Scopes, c.Description, c.Active, c.CreatedAt, c.UpdatedAt);
}

public sealed record CredentialCreated(string Message, CredentialView Credential, string ClientSecret);

public sealed record CredentialUpdated(
    string Message, CredentialView Credential,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? ClientSecret);

/// <summary>What the OpenAPI document shows for each operation.</summary>
internal static class CredentialExamples
{
    private static readonly DateTime At = new(2026, 4, 27, 10, 0, 0, DateTimeKind.Utc);
    public static readonly CredentialView Credential =
        new("my-app", "user", ["tokens:read:*", "tokens:write:create", "tokens:write:delete"], "Production API client", true, At, At);
    public static readonly CreateCredentialRequest Create = new("my-app", "Production API client");
    public static readonly CredentialCreated Created = new("Credential created successfully", Credential, "c2VjcmV0LXNob3duLW9ubHktb25jZQ");
    public static readonly UpdateCredentialRequest Update = new("Updated description", true, RegenerateSecret: true);
    public static readonly CredentialUpdated Updated =
        new("Credential updated successfully", Credential with { Description = "Updated description" }, "bmV3LXNlY3JldC1zaG93bi1vbmx5LW9uY2U");
}
