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

    [GeneratedRegex(@"[\s+\-.()]")]
    private static partial Regex Separators();

    [GeneratedRegex("^[0-9]{6,15}$")]
    private static partial Regex AllDigits();
}
