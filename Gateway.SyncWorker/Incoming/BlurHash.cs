using SkiaSharp;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// BlurHash (blurha.sh): a short string that clients turn into a blurred placeholder of an image. This is the reference
/// encoder (woltapp/blurhash): a few DCT components of the image in linear light, quantised and written in base 83.
/// No package on our feed implements it; the algorithm is small and fully specified.
/// </summary>
public static class BlurHash
{
    private const string Base83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";
    // The hash only keeps a handful of frequencies: a thumbnail gives the same string, and is far cheaper.
    private const int SampleSize = 64;

    public sealed record Image(int Width, int Height, string Hash);

    /// <summary>The image's size and BlurHash, or null when the bytes are not an image Skia can decode.</summary>
    public static Image? Of(byte[] bytes)
    {
        using var decoded = SKBitmap.Decode(bytes);
        if (decoded is null || decoded.Width == 0 || decoded.Height == 0)
        {
            return null;
        }
        var scale = Math.Min(1.0, (double)SampleSize / Math.Max(decoded.Width, decoded.Height));
        var sample = new SKImageInfo(Math.Max(1, (int)(decoded.Width * scale)), Math.Max(1, (int)(decoded.Height * scale)),
            SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var small = decoded.Resize(sample, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        if (small is null)
        {
            return null;
        }
        var (xComponents, yComponents) = decoded.Width >= decoded.Height ? (4, 3) : (3, 4);
        return new Image(decoded.Width, decoded.Height, Encode(small.GetPixelSpan(), small.Width, small.Height, xComponents, yComponents));
    }

    /// <summary>Encodes RGBA pixels (4 bytes each, row by row).</summary>
    public static string Encode(ReadOnlySpan<byte> rgba, int width, int height, int xComponents, int yComponents)
    {
        var linear = new float[width * height * 3];
        for (var p = 0; p < width * height; p++)
        {
            linear[p * 3] = SrgbToLinear(rgba[p * 4]);
            linear[p * 3 + 1] = SrgbToLinear(rgba[p * 4 + 1]);
            linear[p * 3 + 2] = SrgbToLinear(rgba[p * 4 + 2]);
        }

        var factors = new (double R, double G, double B)[xComponents * yComponents];
        for (var j = 0; j < yComponents; j++)
        {
            for (var i = 0; i < xComponents; i++)
            {
                factors[j * xComponents + i] = Factor(linear, width, height, i, j);
            }
        }

        var hash = new System.Text.StringBuilder();
        AppendBase83(hash, xComponents - 1 + (yComponents - 1) * 9, 1);
        var ac = factors.AsSpan(1);
        double maximum = 1;
        if (ac.Length > 0)
        {
            var actualMaximum = 0.0;
            foreach (var (r, g, b) in ac)
            {
                actualMaximum = Math.Max(actualMaximum, Math.Max(Math.Abs(r), Math.Max(Math.Abs(g), Math.Abs(b))));
            }
            var quantisedMaximum = (int)Math.Max(0, Math.Min(82, Math.Floor(actualMaximum * 166 - 0.5)));
            maximum = (quantisedMaximum + 1) / 166.0;
            AppendBase83(hash, quantisedMaximum, 1);
        }
        else
        {
            AppendBase83(hash, 0, 1);
        }

        var dc = factors[0];
        AppendBase83(hash, (LinearToSrgb(dc.R) << 16) + (LinearToSrgb(dc.G) << 8) + LinearToSrgb(dc.B), 4);
        foreach (var (r, g, b) in ac)
        {
            AppendBase83(hash, QuantiseAc(r, maximum) * 19 * 19 + QuantiseAc(g, maximum) * 19 + QuantiseAc(b, maximum), 2);
        }
        return hash.ToString();
    }

    private static (double R, double G, double B) Factor(float[] linear, int width, int height, int i, int j)
    {
        double r = 0, g = 0, b = 0;
        for (var y = 0; y < height; y++)
        {
            var basisY = Math.Cos(Math.PI * j * y / height);
            for (var x = 0; x < width; x++)
            {
                var basis = Math.Cos(Math.PI * i * x / width) * basisY;
                var p = (y * width + x) * 3;
                r += basis * linear[p];
                g += basis * linear[p + 1];
                b += basis * linear[p + 2];
            }
        }
        var scale = (i == 0 && j == 0 ? 1.0 : 2.0) / (width * height);
        return (r * scale, g * scale, b * scale);
    }

    private static int QuantiseAc(double value, double maximum) =>
        (int)Math.Max(0, Math.Min(18, Math.Floor(SignedPow(value / maximum, 0.5) * 9 + 9.5)));

    private static double SignedPow(double value, double exponent) => Math.CopySign(Math.Pow(Math.Abs(value), exponent), value);

    private static float SrgbToLinear(byte value)
    {
        var v = value / 255f;
        return v <= 0.04045f ? v / 12.92f : MathF.Pow((v + 0.055f) / 1.055f, 2.4f);
    }

    private static int LinearToSrgb(double value)
    {
        var v = Math.Clamp(value, 0, 1);
        return v <= 0.0031308 ? (int)(v * 12.92 * 255 + 0.5) : (int)((1.055 * Math.Pow(v, 1 / 2.4) - 0.055) * 255 + 0.5);
    }

    private static void AppendBase83(System.Text.StringBuilder hash, int value, int length)
    {
        for (var i = 1; i <= length; i++)
        {
            var divisor = (int)Math.Pow(83, length - i);
            hash.Append(Base83[value / divisor % 83]);
        }
    }
}
