using Gateway.Shared.Webhooks;
using Microsoft.Extensions.Options;

namespace Gateway.SyncWorker.Delivery;

/// <summary>
/// Exponential back-off with jitter: the n-th retry waits base·2ⁿ⁻¹ (at most the maximum), scaled by a random 50–100 %
/// so receivers that failed together are not hit together again. A receiver's Retry-After is honoured up to the
/// maximum. The last try is at the end of the retry window (24 h from the message); then the delivery is given up.
/// </summary>
public sealed class RetrySchedule(IOptions<WebhookOptions> options)
{
    /// <summary>When to try again after <paramref name="attempts"/> failed attempts, or null to give up.</summary>
    public DateTime? NextAttempt(int attempts, DateTime createdAt, DateTime now, TimeSpan? retryAfter)
    {
        var settings = options.Value;
        var exponential = settings.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        var delay = Math.Min(exponential, settings.RetryMaxDelay.TotalMilliseconds) * (0.5 + Random.Shared.NextDouble() / 2);
        if (retryAfter is { } asked)
        {
            delay = Math.Min(Math.Max(delay, asked.TotalMilliseconds), settings.RetryMaxDelay.TotalMilliseconds);
        }
        var deadline = createdAt + settings.RetryWindow;
        // One last try at the deadline rather than giving up a whole back-off step early.
        return now >= deadline ? null : Min(now.AddMilliseconds(delay), deadline);
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
