using System.Globalization;

namespace Gateway.SyncWorker.Incoming;

/// <summary>A location's <c>geo_uri</c> (RFC 5870: <c>geo:&lt;lat&gt;,&lt;long&gt;[,&lt;alt&gt;][;params]</c>), as the bridge writes it.</summary>
public static class GeoUri
{
    /// <summary>The coordinates, or null for anything that is not a geo URI with a latitude and longitude in range.</summary>
    public static (double Latitude, double Longitude)? Parse(string? uri)
    {
        if (uri is null || !uri.StartsWith("geo:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var coordinates = uri[4..].Split(';', 2)[0].Split(',');
        if (coordinates.Length is < 2 or > 3
            || !double.TryParse(coordinates[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude)
            || !double.TryParse(coordinates[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude)
            || !double.IsFinite(latitude) || !double.IsFinite(longitude) || latitude is < -90 or > 90 || longitude is < -180 or > 180)
        {
            return null;
        }
        return (latitude, longitude);
    }
}
