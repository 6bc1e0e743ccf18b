using SkiaSharp;
using ZXing;
using ZXing.Common;

namespace Gateway.Tests.Infrastructure;

/// <summary>Reads a QR code from a picture of it (a screenshot), as a phone's camera would.</summary>
public static class QrImage
{
    /// <summary>The text the QR code in <paramref name="png"/> holds, or null when none can be read.</summary>
    public static string? Decode(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new ArgumentException("not an image", nameof(png));
        // ZXing.Net's core reads luminance bytes; no binding package for SkiaSharp is published, so convert here.
        var luminance = new byte[bitmap.Width * bitmap.Height];
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var pixel = bitmap.GetPixel(x, y);
                luminance[y * bitmap.Width + x] = (byte)((pixel.Red * 299 + pixel.Green * 587 + pixel.Blue * 114) / 1000);
            }
        }
        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true } };
        var source = new RGBLuminanceSource(luminance, bitmap.Width, bitmap.Height, RGBLuminanceSource.BitmapFormat.Gray8);
        return reader.Decode(source)?.Text;
    }
}
