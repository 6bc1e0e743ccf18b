using System.Security.Claims;

namespace Gateway.Api.Auth;

/// <summary>
/// Scopes a credential can hold. A held scope grants a required one when it is equal, <c>*</c>, or
/// <c>prefix:*</c> with the required scope under that prefix (<c>tokens:*</c> grants <c>tokens:write:create</c>).
/// </summary>
public static class Scopes
{
    public const string All = "*";
    public const string CredentialsRead = "credentials:read";
    public const string CredentialsWrite = "credentials:write";
    public const string TokensList = "tokens:read:list";
    public const string TokensCreate = "tokens:write:create";
    public const string TokensDelete = "tokens:write:delete";

    public const string ClaimType = "scope";

    /// <summary>What a new credential of role <c>user</c> gets when none are given.</summary>
    public static readonly string[] UserDefaults = ["tokens:read:*", TokensCreate, TokensDelete];

    private static readonly string[] Known = [CredentialsRead, CredentialsWrite, TokensList, TokensCreate, TokensDelete];

    public static bool Grants(string held, string required) =>
        held == All
        || held == required
        || (held.EndsWith(":*", StringComparison.Ordinal) && required.StartsWith(held[..^1], StringComparison.Ordinal));

    public static bool Grants(ClaimsPrincipal user, string required) =>
        user.FindAll(ClaimType).Any(claim => Grants(claim.Value, required));

    /// <summary>A scope is valid when it grants at least one scope the gateway knows.</summary>
    public static bool IsValid(string scope) => Known.Any(known => Grants(scope, known));
}
