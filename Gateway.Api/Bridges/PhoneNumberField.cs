using System.Text.RegularExpressions;

namespace Gateway.Api.Bridges;

/// <summary>A phone number in a request about a device (a pairing-code link's <c>phone_number</c>): <c>+</c>, then 7 to 15 digits, spaces and dashes allowed.</summary>
public static partial class PhoneNumberField
{
    public const string Invalid = "Invalid phone_number: use the international format, e.g. +237123456789";

    /// <summary>The number's digits, or null when it is not in the international format.</summary>
    public static string? Digits(string phoneNumber)
    {
        var text = phoneNumber.Trim();
        return InternationalFormat().IsMatch(text) && text.Count(char.IsAsciiDigit) is >= 7 and <= 15
            ? new string(text.Where(char.IsAsciiDigit).ToArray())
            : null;
    }

    [GeneratedRegex(@"^\+[0-9][0-9 \-]*$")]
    private static partial Regex InternationalFormat();
}
