using System.Net.WebSockets;
using System.Text;
using Gateway.Shared.Redis;
using StackExchange.Redis;

namespace Gateway.Api.Features.Devices;

/// <summary>
/// Forwards an identity's link frames to a WebSocket: the latest frame first (a late socket still gets the QR),
/// then every new one, closing after success or error, or when the link window is over.
/// </summary>
public sealed class LinkFrameRelay(IConnectionMultiplexer redis, ILogger<LinkFrameRelay> logger)
{
    public const string TimedOut = "The QR code was not scanned in time. Add the device again.";

    public async Task RunAsync(WebSocket socket, int identityId, string platform, CancellationToken cancellationToken)
    {
        // Subscribe before reading the latest frame, so nothing published in between is missed.
        var subscription = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisNames.LinkChannel(identityId, platform)));
        try
        {
            var db = redis.GetDatabase();
            var last = await db.StringGetAsync(RedisNames.LastLinkFrame(identityId, platform));
            var pendingFor = await db.KeyTimeToLiveAsync(RedisNames.PendingLink(identityId, platform));
            if (last.IsNullOrEmpty && pendingFor is null)
            {
                await SendAndCloseAsync(socket, LinkFrame.Failure(LinkFrame.NoPendingLink).ToJson(), cancellationToken);
                return;
            }

            string? sent = null;
            if (!last.IsNullOrEmpty)
            {
                sent = last.ToString();
                if (await SendAsync(socket, sent, cancellationToken))
                {
                    return;
                }
            }

            using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, WhenClientCloses(socket));
            window.CancelAfter((pendingFor ?? TimeSpan.Zero) + TimeSpan.FromSeconds(5));
            try
            {
                while (true)
                {
                    var frame = (await subscription.ReadAsync(window.Token)).Message.ToString();
                    if (frame == sent)
                    {
                        continue; // the replayed frame, also caught by the subscription
                    }
                    sent = frame;
                    if (await SendAsync(socket, frame, cancellationToken))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                await SendAndCloseAsync(socket, LinkFrame.Failure(TimedOut).ToJson(), cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            logger.LogDebug("QR socket for identity {IdentityId} ended early: {Reason}", identityId, e.Message);
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    /// <summary>Sends a frame; closes and returns true when it is final.</summary>
    private static async Task<bool> SendAsync(WebSocket socket, string frame, CancellationToken cancellationToken)
    {
        if (LinkFrame.FromJson(frame) is { IsFinal: true })
        {
            await SendAndCloseAsync(socket, frame, cancellationToken);
            return true;
        }
        await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        return false;
    }

    private static async Task SendAndCloseAsync(WebSocket socket, string frame, CancellationToken cancellationToken)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        // CloseOutput, not Close: the reader of the client's side is still listening and receives its close reply.
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken);
    }

    /// <summary>A token cancelled when the client closes its side (the client sends nothing else).</summary>
    private static CancellationToken WhenClientCloses(WebSocket socket)
    {
        var closed = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            var buffer = new byte[256];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    if ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
                // the connection dropped or the request ended
            }
            await closed.CancelAsync();
        });
        return closed.Token;
    }
}
