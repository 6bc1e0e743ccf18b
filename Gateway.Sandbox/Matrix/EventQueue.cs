using System.Threading.Channels;
using Gateway.Sandbox.Bridge;

namespace Gateway.Sandbox.Matrix;

/// <summary>
/// Events taken from homeserver transactions, handled one at a time in arrival order. The transaction is answered
/// as soon as its events are queued, so a slow command never makes the homeserver think the service is down.
/// </summary>
public sealed class EventQueue
{
    private readonly Channel<(PlatformBridge Bridge, MatrixEvent Event)> channel =
        Channel.CreateUnbounded<(PlatformBridge, MatrixEvent)>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(PlatformBridge bridge, MatrixEvent e) => channel.Writer.TryWrite((bridge, e));

    public IAsyncEnumerable<(PlatformBridge Bridge, MatrixEvent Event)> ReadAllAsync(CancellationToken cancellationToken) =>
        channel.Reader.ReadAllAsync(cancellationToken);
}
