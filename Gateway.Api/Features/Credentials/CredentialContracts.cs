using Gateway.Shared.Data;
using Gateway.Shared.Redis;

namespace Gateway.Api.Features.Credentials;

public sealed record CreateCredentialRequest(string? ClientId, string? Description, List<string>? Scopes);

public sealed record UpdateCredentialRequest(string? Description, bool? Active, List<string>? Scopes, bool? RegenerateSecret);

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
