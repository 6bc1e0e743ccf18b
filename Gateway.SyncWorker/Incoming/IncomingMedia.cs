using System.Text.Json.Nodes;
using Gateway.Shared.Matrix;

namespace Gateway.SyncWorker.Incoming;

/// <summary>
/// The <c>media</c> object of a payload: the file downloaded from the media repository as base64, its size and type,
/// and for images their dimensions and a BlurHash computed from the pixels.
/// </summary>
public sealed class IncomingMedia(MatrixClient matrix, ILogger<IncomingMedia> logger)
{
    public async Task<WebhookMedia> OfAsync(MatrixSession identity, JsonNode content, CancellationToken cancellationToken)
    {
        if (content["url"]?.GetValue<string>() is not { } url)
        {
            return WebhookMedia.None; // text, or an encrypted file (the gateway's rooms are unencrypted)
        }
        var info = content["info"];
        var mimeType = info?["mimetype"]?.GetValue<string>();
        var width = IntOf(info?["w"]);
        var height = IntOf(info?["h"]);
        var blurHash = info?["xyz.amorgan.blurhash"]?.GetValue<string>() ?? "";

        // A failing media repository throws: the batch is retried rather than delivered without its file.
        if (await matrix.DownloadMediaAsync(identity.AccessToken, url, cancellationToken) is not { } file)
        {
            logger.LogWarning("Media {Url} is gone from the media repository; delivering the message without it", url);
            return new WebhookMedia(null, new WebhookMediaInfo(IntOf(info?["size"]), mimeType ?? "", width, height, blurHash));
        }
        mimeType ??= file.ContentType ?? "application/octet-stream";
        if (content["msgtype"]?.GetValue<string>() is "m.image" or "m.sticker" || mimeType.StartsWith("image/", StringComparison.Ordinal))
        {
            if (BlurHash.Of(file.Bytes) is { } image)
            {
                (width, height, blurHash) = (image.Width, image.Height, image.Hash);
            }
        }
        return new WebhookMedia(Convert.ToBase64String(file.Bytes), new WebhookMediaInfo(file.Bytes.LongLength, mimeType, width, height, blurHash));
    }

    private static int IntOf(JsonNode? value) =>
        value is JsonValue number && number.TryGetValue<long>(out var n) ? (int)Math.Clamp(n, 0, int.MaxValue) : 0;
}
