using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Gateway.Shared.Matrix;
using Microsoft.AspNetCore.StaticFiles;
using SkiaSharp;

namespace Gateway.Api.Features.Messages;

/// <summary>
/// A file to send: uploaded once to the media repository (streamed from the request's buffer, never held whole in
/// memory), then sent to each recipient with the msgtype its MIME type calls for.
/// </summary>
public sealed class OutgoingFile(IFormFile file)
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public string FileName { get; } = Path.GetFileName(file.FileName);

    public bool HasExtension => Path.GetExtension(FileName).Length > 1;

    // curl sends application/octet-stream for every -F file: the extension knows better.
    public string MimeType { get; } = ContentTypes.TryGetContentType(Path.GetFileName(file.FileName), out var byExtension)
        ? byExtension
        : string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType;

    /// <summary>Whether <see cref="MimeType"/> is a <c>type/subtype</c> the media repository can be told.</summary>
    public bool HasValidMimeType => MediaTypeHeaderValue.TryParse(MimeType, out _);

    public string MessageType => MimeType.Split('/')[0] switch
    {
        "image" => "m.image",
        "video" => "m.video",
        "audio" => "m.audio",
        _ => "m.file",
    };

    /// <summary>Uploads the file and returns the event content for it, <paramref name="caption"/> as its body.</summary>
    public async Task<JsonObject> UploadAsync(MatrixClient matrix, string accessToken, string? caption, CancellationToken cancellationToken)
    {
        await using var content = file.OpenReadStream();
        var url = await matrix.UploadAsync(accessToken, content, file.Length, MimeType, FileName, cancellationToken);
        var info = new JsonObject { ["mimetype"] = MimeType, ["size"] = file.Length };
        if (MessageType == "m.image" && ImageSize() is var (width, height))
        {
            (info["w"], info["h"]) = (width, height);
        }
        // Matrix captions: body is the caption and filename the file's name (the body alone when there is no caption).
        return new JsonObject
        {
            ["msgtype"] = MessageType,
            ["body"] = string.IsNullOrEmpty(caption) ? FileName : caption,
            ["filename"] = FileName,
            ["url"] = url,
            ["info"] = info,
        };
    }

    /// <summary>The image's dimensions from its header (no decoding of the pixels).</summary>
    private (int Width, int Height)? ImageSize()
    {
        using var stream = file.OpenReadStream();
        using var codec = SKCodec.Create(stream);
        return codec is null ? null : (codec.Info.Width, codec.Info.Height);
    }
}
