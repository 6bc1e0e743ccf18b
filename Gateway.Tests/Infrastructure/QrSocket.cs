using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Infrastructure;

/// <summary>A client of the QR WebSocket, as a user's script would be: connect, read JSON frames until the close.</summary>
public sealed class QrSocket : IAsyncDisposable
{
    private readonly ClientWebSocket socket = new();

    public WebSocketCloseStatus? CloseStatus => socket.CloseStatus;

    public static async Task<QrSocket> ConnectAsync(Uri url)
    {
        var client = new QrSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.socket.ConnectAsync(url, timeout.Token);
        return client;
    }

    /// <summary>The next frame, or null when the server closed the socket.</summary>
    public async Task<JsonNode?> NextFrameAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancel.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonNode.Parse(Encoding.UTF8.GetString(message.ToArray()));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        }
        socket.Dispose();
    }
}
