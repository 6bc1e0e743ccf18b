using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Gateway.Shared.Matrix;
using Microsoft.AspNetCore.StaticFiles;
using SkiaSharp;

namespace Gateway.Api.Features.Messages;

/// <summary>A file in the media repository: where it is and what it is, for <see cref="MessageContent.File"/>.</summary>
public sealed record UploadedFile(string Url, string MessageType, string FileName, JsonObject Info);

/// <summary>
/// A file to send: uploaded once to the media repository (streamed from the request's buffer, never held whole in
/// memory), then sent to each recipient as what the network shows it as (<see cref="NetworkMedia"/>).
/// </summary>
public sealed class OutgoingFile(IFormFile file)
{
    // ASP.NET's table takes .ogg for video and does not know .opus: both are audio, most of all a voice note.
    private static readonly FileExtensionContentTypeProvider ContentTypes = new()
    {
        Mappings = { [".ogg"] = "audio/ogg", [".opus"] = "audio/ogg" },
    };

    public string FileName { get; } = Path.GetFileName(file.FileName);

    public bool HasExtension => Path.GetExtension(FileName).Length > 1;

    // curl sends application/octet-stream for every -F file: the extension knows better.
    public string MimeType { get; } = ContentTypes.TryGetContentType(Path.GetFileName(file.FileName), out var byExtension)
        ? byExtension
        : string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType;

    /// <summary>Whether <see cref="MimeType"/> is a <c>type/subtype</c> the media repository can be told.</summary>
    public bool HasValidMimeType => MediaTypeHeaderValue.TryParse(MimeType, out _);

    public string MessageType => NetworkMedia.MessageType(MimeType);

    /// <summary>Uploads the file; a voice note goes in the type the bridge takes it in.</summary>
    public async Task<UploadedFile> UploadAsync(MatrixClient matrix, string accessToken, bool voice, CancellationToken cancellationToken)
    {
        var mimeType = voice ? NetworkMedia.VoiceMimeType : MimeType;
        await using var content = file.OpenReadStream();
        var url = await matrix.UploadAsync(accessToken, content, file.Length, mimeType, FileName, cancellationToken);
        var info = new JsonObject { ["mimetype"] = mimeType, ["size"] = file.Length };
        if (MessageType == "m.image" && ImageSize() is var (width, height))
        {
            (info["w"], info["h"]) = (width, height);
        }
        return new UploadedFile(url, MessageType, FileName, info);
    }

    /// <summary>The image's dimensions from its header (no decoding of the pixels).</summary>
    private (int Width, int Height)? ImageSize()
    {
        using var stream = file.OpenReadStream();
        using var codec = SKCodec.Create(stream);
        return codec is null ? null : (codec.Info.Width, codec.Info.Height);
    }
}
