namespace Gateway.Sandbox.Matrix;

/// <summary>The homeserver cannot keep up just now: it throttles, fails, times out or is unreachable (or our circuit to it is open).</summary>
public static class HomeserverOutage
{
    public static bool Is(Exception? error) => error switch
    {
        MatrixException { Status: var status } => (int)status is 429 or >= 500,
        Polly.ExecutionRejectedException or HttpRequestException or TimeoutException => true,
        _ => false,
    };
}
