using System.Security.Cryptography;
using System.Text;

namespace Gateway.Sandbox.Platforms;

/// <summary>
/// WhatsApp's "linked identity" of a phone number. The real network assigns it; the sandbox derives a stable one from
/// the number (15 digits, never the number itself), so nothing built on top can get away with treating the two as equal.
/// </summary>
public static class Lids
{
    private const ulong Smallest = 100_000_000_000_000; // 15 digits, the first never 0

    public static string Of(string phoneDigits)
    {
        var seed = phoneDigits;
        while (true)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes("sandbox-lid:" + seed));
            var lid = (BitConverter.ToUInt64(hash) % (9 * Smallest) + Smallest).ToString();
            if (lid != phoneDigits)
            {
                return lid;
            }
            seed = lid; // a 15-digit number that hashed to itself: derive again
        }
    }
}
