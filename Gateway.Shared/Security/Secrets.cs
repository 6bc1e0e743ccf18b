using System.Security.Cryptography;
using System.Text;

namespace Gateway.Shared.Security;

/// <summary>Tokens and client secrets: random, shown once, kept only as SHA-256 and compared in constant time.</summary>
public static class Secrets
{
    /// <summary>32 random bytes, base64url, with an optional prefix (<c>mt_</c> for Matrix tokens).</summary>
    public static string NewRandom(string prefix = "") =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // A plain hash is enough: the secrets are 256-bit random, so there is nothing to brute-force.
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(string secret, byte[] hash) => CryptographicOperations.FixedTimeEquals(Hash(secret), hash);
}

/// <summary>
/// Encrypts what must be readable again (Matrix access tokens, webhook signing secrets) with AES-256-GCM under the key in
/// <c>Gateway:EncryptionKey</c>: base64 of 32 random bytes (what <c>make run</c> writes), or a random text of at least 32
/// characters (what azd generates), whose SHA-256 is then the key. Layout: nonce (12) | tag (16) | ciphertext.
/// To change the key, the old one moves to <c>Gateway:PreviousEncryptionKeys</c>: what it sealed still opens, and the
/// Api's start seals it again under the new key (<c>CipherResealing</c>), after which the old key can go.
/// </summary>
public sealed class SecretBox
{
    private const int NonceSize = 12, TagSize = 16;
    private const string KeyFormat = "must be base64 of 32 random bytes, or a random text of at least 32 characters.";
    /// <summary>The current key first: it seals, and opens what it sealed without trying the others.</summary>
    private readonly byte[][] keys;

    public SecretBox(string configuredKey, params IEnumerable<string> previousKeys) =>
        keys = [KeyFrom(configuredKey, "Gateway:EncryptionKey " + KeyFormat),
            .. previousKeys.Select(previous => KeyFrom(previous, "Each key of Gateway:PreviousEncryptionKeys " + KeyFormat))];

    public byte[] Seal(string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(keys[0], TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize));
        return sealedBytes;
    }

    public string Open(byte[] sealedBytes) => OpenUnderAnyKey(sealedBytes).Plaintext;

    /// <summary>The cipher sealed again under the current key, or null when it already is under it.</summary>
    public byte[]? Reseal(byte[] sealedBytes)
    {
        var (plaintext, underCurrentKey) = OpenUnderAnyKey(sealedBytes);
        return underCurrentKey ? null : Seal(plaintext);
    }

    private (string Plaintext, bool UnderCurrentKey) OpenUnderAnyKey(byte[] sealedBytes)
    {
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        foreach (var (index, key) in keys.Index())
        {
            using var aes = new AesGcm(key, TagSize);
            try
            {
                aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize),
                    sealedBytes.AsSpan(NonceSize, TagSize), plain);
                return (Encoding.UTF8.GetString(plain), index == 0);
            }
            catch (AuthenticationTagMismatchException)
            {
                // GCM's tag tells a wrong key: try the next one.
            }
        }
        throw new CryptographicException(
            "The cipher was sealed under a key that is neither Gateway:EncryptionKey nor one of Gateway:PreviousEncryptionKeys.");
    }

    /// <summary>The key's bytes; a key that fits neither format fails with <paramref name="error"/>, which never shows it.</summary>
    private static byte[] KeyFrom(string configuredKey, string error)
    {
        var bytes = new byte[configuredKey.Length];
        return Convert.TryFromBase64String(configuredKey, bytes, out var length) && length == 32 ? bytes[..32]
            : configuredKey.Length >= 32 ? SHA256.HashData(Encoding.UTF8.GetBytes(configuredKey))
            : throw new ArgumentException(error);
    }
}
