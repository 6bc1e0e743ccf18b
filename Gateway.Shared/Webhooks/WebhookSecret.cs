using System.Security.Cryptography;
using System.Text;

namespace Gateway.Shared.Webhooks;

/// <summary>
/// A webhook's signing secret in the Standard Webhooks form: <c>whsec_</c> + base64 of the HMAC key. The key is what
/// the official verifiers derive from the secret string (the base64 after an optional <c>whsec_</c>), so a receiver
/// passes its secret as it got it.
/// </summary>
public static class WebhookSecret
{
    public const string Prefix = "whsec_";
    public const string Malformed = "secret must be whsec_ followed by base64 of 24 to 64 bytes";
    private const int MinKeyBytes = 24, MaxKeyBytes = 64, GeneratedKeyBytes = 32;

    public static string NewRandom() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedKeyBytes));

    /// <summary>Whether a caller-supplied secret has the form receivers' libraries accept.</summary>
    public static bool IsWellFormed(string secret) =>
        secret.StartsWith(Prefix, StringComparison.Ordinal)
        && secret.AsSpan(Prefix.Length).ContainsOnlyBase64Alphabet()
        && DecodedKey(secret) is { Length: >= MinKeyBytes and <= MaxKeyBytes };

    /// <summary>
    /// The HMAC key. Webhooks made before the Standard Webhooks form may hold a secret that is not base64 (their
    /// generated ones were base64url); those keep being keyed with the secret's UTF-8 bytes, as they were signed before,
    /// so their receivers verify with the raw-key form of the same libraries instead of being cut off.
    /// </summary>
    public static byte[] SigningKey(string secret) => DecodedKey(secret) ?? Encoding.UTF8.GetBytes(secret);

    private static byte[]? DecodedKey(string secret)
    {
        var encoded = secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret;
        var key = new byte[encoded.Length];
        return encoded.Length > 0 && Convert.TryFromBase64String(encoded, key, out var length)
            ? key[..length]
            : null;
    }

    private static bool ContainsOnlyBase64Alphabet(this ReadOnlySpan<char> text) =>
        !text.ContainsAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
}
