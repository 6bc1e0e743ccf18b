using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// mautrix-whatsapp's parseGeoURI (msgconv/from-matrix.go), errors word for word: <c>geo:</c>, then exactly two numbers
/// before any <c>;</c>, each as Go's strconv.ParseFloat reads it (no spaces; no range check: WhatsApp gets what it gets).
/// </summary>
public static partial class GeoUri
{
    public static (double Latitude, double Longitude, string? Error) Parse(string uri)
    {
        if (!uri.StartsWith("geo:", StringComparison.Ordinal))
        {
            return (0, 0, "uri doesn't have geo: prefix");
        }
        var coordinates = uri["geo:".Length..].Split(';')[0].Split(',');
        if (coordinates.Length != 2)
        {
            return (0, 0, "didn't find exactly two numbers separated by a comma");
        }
        if (ParseFloat(coordinates[0]) is (_, { } latitudeError))
        {
            return (0, 0, "latitude is not a number: " + latitudeError);
        }
        if (ParseFloat(coordinates[1]) is (_, { } longitudeError))
        {
            return (0, 0, "longitude is not a number: " + longitudeError);
        }
        return (ParseFloat(coordinates[0]).Value, ParseFloat(coordinates[1]).Value, null);
    }

    /// <summary>Go's decimal and inf/nan syntax (hexadecimal floats aside), with its two error texts.</summary>
    private static (double Value, string? Error) ParseFloat(string text)
    {
        if (Special().IsMatch(text))
        {
            var negative = text.StartsWith('-');
            return (text.TrimStart('+', '-').StartsWith('n') || text.TrimStart('+', '-').StartsWith('N')
                ? double.NaN
                : negative ? double.NegativeInfinity : double.PositiveInfinity, null);
        }
        if (!Decimal().IsMatch(text))
        {
            return (0, $"strconv.ParseFloat: parsing {Quote(text)}: invalid syntax");
        }
        var value = double.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture);
        return double.IsInfinity(value) ? (value, $"strconv.ParseFloat: parsing {Quote(text)}: value out of range") : (value, null);
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    [GeneratedRegex(@"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")]
    private static partial Regex Decimal();

    [GeneratedRegex("^[+-]?(inf|infinity|nan)$", RegexOptions.IgnoreCase)]
    private static partial Regex Special();
}
