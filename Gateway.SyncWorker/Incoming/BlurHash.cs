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
    // The hash only keeps a handful of frequencies: a 64-pixel sample gives the same string, and is far cheaper.
    private const int SampleSize = 64;

    public sealed record Image(int Width, int Height, string Hash);

    /// <summary>
    /// The image's size and BlurHash, or null when the bytes are not an image Skia can decode. An image of more than
    /// <paramref name="maxPixels"/> keeps its size but gets no hash. The pixels are never held at full size: the codec
    /// decodes at the smallest scale it supports (JPEG down to 1/8) and row by row, each row added into a
    /// <see cref="SampleSize"/>-wide grid of averages, so even a decompression bomb costs one row of memory.
    /// </summary>
    public static Image? Of(byte[] bytes, long maxPixels)
    {
        using var codec = SKCodec.Create(new MemoryStream(bytes, writable: false));
        if (codec is null || codec.Info.Width <= 0 || codec.Info.Height <= 0)
        {
            return null;
        }
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if ((long)width * height > maxPixels)
        {
            return new Image(width, height, "");
        }
        var scaled = codec.GetScaledDimensions((float)Math.Min(1.0, (double)SampleSize / Math.Max(width, height)));
        var decode = new SKImageInfo(scaled.Width, scaled.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var grid = new Grid(decode.Width, decode.Height);
        if (!AddScanlines(codec, decode, grid) && !AddWholeImage(codec, decode, grid))
        {
            return null;
        }
        var (xComponents, yComponents) = width >= height ? (4, 3) : (3, 4);
        return new Image(width, height, Encode(grid.Averages(), grid.Width, grid.Height, xComponents, yComponents));
    }

    private static bool AddScanlines(SKCodec codec, SKImageInfo decode, Grid grid)
    {
        if (codec.StartScanlineDecode(decode) != SKCodecResult.Success)
        {
            return false; // WebP, for one, only decodes whole (at any scale, so still small)
        }
        var row = new byte[decode.RowBytes];
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(row, System.Runtime.InteropServices.GCHandleType.Pinned);
        try
        {
            for (var line = 0; line < decode.Height && codec.GetScanlines(handle.AddrOfPinnedObject(), 1, decode.RowBytes) == 1; line++)
            {
                grid.AddRow(codec.GetOutputScanline(line), row); // bottom-up formats give their rows in reverse
            }
        }
        finally
        {
            handle.Free();
        }
        return true;
    }

    private static bool AddWholeImage(SKCodec codec, SKImageInfo decode, Grid grid)
    {
        var pixels = new byte[decode.BytesSize];
        if (codec.GetPixels(decode, pixels) is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            return false;
        }
        for (var y = 0; y < decode.Height; y++)
        {
            grid.AddRow(y, pixels.AsSpan(y * decode.RowBytes, decode.RowBytes));
        }
        return true;
    }

    /// <summary>Box averages of an image's RGB over at most <see cref="SampleSize"/> cells per side.</summary>
    private sealed class Grid
    {
        private readonly int sourceWidth, sourceHeight;
        private readonly long[] sums;
        private readonly int[] counts;

        public Grid(int sourceWidth, int sourceHeight)
        {
            (this.sourceWidth, this.sourceHeight) = (sourceWidth, sourceHeight);
            var scale = Math.Min(1.0, (double)SampleSize / Math.Max(sourceWidth, sourceHeight));
            (Width, Height) = (Math.Max(1, (int)(sourceWidth * scale)), Math.Max(1, (int)(sourceHeight * scale)));
            sums = new long[Width * Height * 3];
            counts = new int[Width * Height];
        }

        public int Width { get; }
        public int Height { get; }

        public void AddRow(int y, ReadOnlySpan<byte> rgba)
        {
            var cellRow = (int)((long)y * Height / sourceHeight) * Width;
            for (var x = 0; x < sourceWidth; x++)
            {
                var cell = cellRow + (int)((long)x * Width / sourceWidth);
                sums[cell * 3] += rgba[x * 4];
                sums[cell * 3 + 1] += rgba[x * 4 + 1];
                sums[cell * 3 + 2] += rgba[x * 4 + 2];
                counts[cell]++;
            }
        }

        /// <summary>RGBA pixels of the grid (a cell no row reached stays black).</summary>
        public byte[] Averages()
        {
            var rgba = new byte[Width * Height * 4];
            for (var cell = 0; cell < counts.Length; cell++)
            {
                var count = Math.Max(1, counts[cell]);
                for (var channel = 0; channel < 3; channel++)
                {
                    rgba[cell * 4 + channel] = (byte)(sums[cell * 3 + channel] / count);
                }
                rgba[cell * 4 + 3] = 255;
            }
            return rgba;
        }
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
