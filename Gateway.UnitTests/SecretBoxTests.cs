using System.Security.Cryptography;
using Gateway.Shared.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.UnitTests;

/// <summary>Changing <c>Gateway:EncryptionKey</c>: the old key, listed in <c>Gateway:PreviousEncryptionKeys</c>, still opens what it sealed.</summary>
public sealed class SecretBoxTests
{
    private static readonly string KeyA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private const string KeyB = "a random text of at least thirty-two characters, hashed into a key";
    private static readonly string KeyC = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void What_a_previous_key_sealed_still_opens()
    {
        var sealedUnderA = Box(KeyA).Seal("syt_access_token");

        Assert.Equal("syt_access_token", Box(KeyB, previous: $"{KeyC}, {KeyA}").Open(sealedUnderA));
    }

    [Fact]
    public void Sealing_uses_the_current_key()
    {
        var sealedBytes = Box(KeyB, previous: KeyA).Seal("syt_access_token");

        Assert.Equal("syt_access_token", Box(KeyB).Open(sealedBytes));
        Assert.ThrowsAny<CryptographicException>(() => Box(KeyA).Open(sealedBytes));
    }

    [Fact]
    public void A_cipher_under_a_key_neither_current_nor_previous_fails_saying_so()
    {
        var sealedUnderC = Box(KeyC).Seal("syt_access_token");

        var failure = Assert.Throws<CryptographicException>(() => Box(KeyB, previous: KeyA).Open(sealedUnderC));
        Assert.Contains("neither Gateway:EncryptionKey nor one of Gateway:PreviousEncryptionKeys", failure.Message);
    }

    [Fact]
    public void Resealing_moves_only_a_previous_keys_cipher_to_the_current_key()
    {
        var box = Box(KeyB, previous: KeyA);

        var resealed = box.Reseal(Box(KeyA).Seal("syt_access_token"));
        Assert.NotNull(resealed);
        Assert.Equal("syt_access_token", Box(KeyB).Open(resealed));
        Assert.Null(box.Reseal(box.Seal("syt_access_token")));
        Assert.Throws<CryptographicException>(() => box.Reseal(Box(KeyC).Seal("syt_access_token")));
    }

    [Fact]
    public void A_malformed_previous_key_stops_the_start_without_showing_the_key()
    {
        var failure = Assert.Throws<ArgumentException>(() => Box(KeyB, previous: $"{KeyA},short-secret-key"));

        Assert.Contains("Gateway:PreviousEncryptionKeys", failure.Message);
        Assert.DoesNotContain("short-secret-key", failure.Message);
    }

    /// <summary>The box the Api and the SyncWorker build from these settings.</summary>
    private static SecretBox Box(string current, string? previous = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:EncryptionKey"] = current,
            ["Gateway:PreviousEncryptionKeys"] = previous,
        }).Build();
        return new ServiceCollection().AddSecretBox(configuration).BuildServiceProvider().GetRequiredService<SecretBox>();
    }
}
