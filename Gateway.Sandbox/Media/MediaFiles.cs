using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace Gateway.Sandbox.Media;

/// <summary>What Matrix clients expect to know about a file before downloading it.</summary>
public static class MediaFiles
{
    /// <summary>The message type a bridge picks from the MIME type.</summary>
    public static string MsgTypeFor(string mimeType) => mimeType.Split('/')[0].ToLowerInvariant() switch
    {
        "image" => "m.image",
        "video" => "m.video",
        "audio" => "m.audio",
        _ => "m.file",
    };

    /// <summary><c>info</c> of a file message: mimetype and size, plus <c>w</c>/<c>h</c> for images whose header we can read.</summary>
    public static JsonObject InfoFor(byte[] data, string mimeType)
    {
        var info = new JsonObject { ["mimetype"] = mimeType, ["size"] = data.Length };
        if (ImageSize(data) is var (width, height))
        {
            info["w"] = width;
            info["h"] = height;
        }
        return info;
    }

    /// <summary>Width and height from a PNG, JPEG or GIF header, without decoding the image.</summary>
    public static (int Width, int Height)? ImageSize(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (data.Length >= 24 && data.StartsWith(png))
        {
            // The IHDR chunk always comes first: width and height are big-endian at offsets 16 and 20.
            return (BinaryPrimitives.ReadInt32BigEndian(data[16..]), BinaryPrimitives.ReadInt32BigEndian(data[20..]));
        }
        if (data.Length >= 10 && (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8)))
        {
            return (BinaryPrimitives.ReadUInt16LittleEndian(data[6..]), BinaryPrimitives.ReadUInt16LittleEndian(data[8..]));
        }
        if (data.Length >= 4 && data[0] == 0xFF && data[1] == 0xD8)
        {
            return JpegSize(data);
        }
        return null;
    }

    /// <summary>Walks the JPEG segments to the first start-of-frame, which holds the dimensions.</summary>
    private static (int, int)? JpegSize(ReadOnlySpan<byte> data)
    {
        var position = 2;
        while (position + 9 < data.Length)
        {
            if (data[position] != 0xFF)
            {
                return null;
            }
            var marker = data[position + 1];
            if (marker == 0xFF)
            {
                position++; // fill byte
                continue;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 2)..]);
            // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC) which share the range.
            if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC))
            {
                var height = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 5)..]);
                var width = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 7)..]);
                return (width, height);
            }
            position += 2 + length;
        }
        return null;
    }
}
