using System.Text.RegularExpressions;

namespace Gateway.Sandbox.Bridge;

public static partial class PhoneNumbers
{
    /// <summary>
    /// The digits of a phone number written with <c>+</c>, spaces, dashes, dots or brackets (or as a JID, <c>…@s.whatsapp.net</c>);
    /// null when it is not a plausible E.164 number (6 to 15 digits).
    /// </summary>
    public static string? Normalise(string? input, string jidSuffix = "")
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return null;
        }
        var text = input.Trim();
        if (jidSuffix.Length > 0 && text.EndsWith(jidSuffix, StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^jidSuffix.Length];
        }
        var digits = Separators().Replace(text, "");
        return AllDigits().IsMatch(digits) ? digits : null;
    }

    /// <summary>The text without a JID's server part (<c>…@s.whatsapp.net</c>), as WhatsApp takes such an identifier.</summary>
    public static string WithoutSuffix(string input, string jidSuffix)
    {
        var text = input.Trim();
        return jidSuffix.Length > 0 && text.EndsWith(jidSuffix, StringComparison.OrdinalIgnoreCase) ? text[..^jidSuffix.Length] : text;
    }

    public static string WithoutSeparators(string input) => Separators().Replace(input, "");

    /// <summary>mautrix-whatsapp's looksEmaily: a letter or an <c>@</c>, which no phone number has.</summary>
    public static bool LooksLikeEmail(string input) => input.Any(c => char.IsAsciiLetter(c) || c == '@');

    [GeneratedRegex(@"[\s+\-.()]")]
    private static partial Regex Separators();

    [GeneratedRegex("^[0-9]{6,15}$")]
    private static partial Regex AllDigits();
}
