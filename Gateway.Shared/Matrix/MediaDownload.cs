namespace Gateway.Shared.Matrix;

/// <summary>What the media repository gave for an <c>mxc://</c> URL: the file, or why there is none.</summary>
public sealed record MediaDownload(byte[]? Bytes, string? ContentType, bool IsTooLarge = false)
{
    /// <summary>Deleted, quarantined, or not an <c>mxc://</c> URL.</summary>
    public static readonly MediaDownload Gone = new(null, null);

    /// <summary>Larger than the caller's limit: not downloaded past it.</summary>
    public static readonly MediaDownload TooLarge = new(null, null, IsTooLarge: true);
}
