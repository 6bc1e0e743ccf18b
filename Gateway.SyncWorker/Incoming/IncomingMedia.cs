using System.Text.Json.Nodes;
using Gateway.Shared.Matrix;
using Microsoft.Extensions.Options;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// The <c>media</c> object of a payload: the file downloaded from the media repository as base64, its size and type,
/// and for images their dimensions and a BlurHash computed from the pixels. A file over
/// <see cref="IncomingOptions.MaxMediaBytes"/>, or one the media repository no longer has, arrives with
/// <c>content</c> null and the <c>info</c> its event announced.
/// </summary>
public sealed class IncomingMedia(MatrixClient matrix, IOptions<IncomingOptions> options, ILogger<IncomingMedia> logger)
{
    /// <param name="withoutFileOnError">
    /// When the media repository answers with an error: deliver the message without its file instead of throwing
    /// (which has the message tried again).
    /// </param>
    public async Task<WebhookMedia> OfAsync(MatrixSession identity, JsonNode content, bool withoutFileOnError, CancellationToken cancellationToken)
    {
        if (EventJson.String(content["url"]) is not { } url)
        {
            return WebhookMedia.None; // text, or an encrypted file (the gateway's rooms are unencrypted)
        }
        var info = content["info"] as JsonObject; // what the event announces, if it is shaped as it should be
        // Without a separate filename (MSC2530), the body is the file's name.
        var fileName = EventJson.String(content["filename"]) ?? EventJson.String(content["body"]) ?? "";
        var announced = new WebhookMediaInfo(LongOf(info?["size"]), EventJson.String(info?["mimetype"]) ?? "",
            (int)Math.Min(int.MaxValue, LongOf(info?["w"])), (int)Math.Min(int.MaxValue, LongOf(info?["h"])),
            EventJson.String(info?["xyz.amorgan.blurhash"]) ?? "", fileName);

        MediaDownload file;
        try
        {
            file = await matrix.DownloadMediaAsync(identity.AccessToken, url, options.Value.MaxMediaBytes, cancellationToken);
        }
        catch (MatrixException e) when (withoutFileOnError)
        {
            logger.LogWarning("Media {Url} could not be downloaded ({Status}); delivering the message without it", url, (int)e.Status);
            return new WebhookMedia(null, announced);
        }
        if (file.IsTooLarge)
        {
            logger.LogInformation("Media {Url} is larger than {Limit} bytes; delivering the message without it", url, options.Value.MaxMediaBytes);
            return new WebhookMedia(null, announced);
        }
        if (file.Bytes is not { } bytes)
        {
            logger.LogWarning("Media {Url} is gone from the media repository; delivering the message without it", url);
            return new WebhookMedia(null, announced);
        }

        var mimeType = announced.MimeType is "" ? file.ContentType ?? "application/octet-stream" : announced.MimeType;
        var (width, height, blurHash) = (announced.Width, announced.Height, announced.BlurHash);
        if (EventJson.String(content["msgtype"]) is "m.image" or "m.sticker" || mimeType.StartsWith("image/", StringComparison.Ordinal))
        {
            if (BlurHash.Of(bytes, options.Value.MaxImagePixels) is { } image)
            {
                (width, height) = (image.Width, image.Height);
                blurHash = image.Hash is "" ? blurHash : image.Hash;
            }
        }
        return new WebhookMedia(bytes, new WebhookMediaInfo(bytes.LongLength, mimeType, width, height, blurHash, fileName));
    }

    private static long LongOf(JsonNode? value) => Math.Max(0, EventJson.Long(value) ?? 0);
}
