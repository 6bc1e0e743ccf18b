namespace Gateway.SyncWorker.Delivery;

/// <summary>How one POST to a receiver ended.</summary>
public sealed record WebhookDeliveryAttempt(bool Delivered, bool Retryable, int? StatusCode, string? Error, TimeSpan? RetryAfter = null)
{
    public static WebhookDeliveryAttempt Success(int statusCode) => new(true, false, statusCode, null);

    /// <summary>2xx delivered; 408, 429 and 5xx retried (honouring Retry-After); anything else is final.</summary>
    public static WebhookDeliveryAttempt OfStatus(int statusCode, TimeSpan? retryAfter) => statusCode switch
    {
        >= 200 and < 300 => Success(statusCode),
        408 or 429 or >= 500 => new(false, true, statusCode, $"HTTP {statusCode}", retryAfter),
        >= 300 and < 400 => new(false, false, statusCode, $"HTTP {statusCode}: redirects are not followed"),
        _ => new(false, false, statusCode, $"HTTP {statusCode}"),
    };

    public static WebhookDeliveryAttempt NetworkError(string error) => new(false, true, null, error);

    public static WebhookDeliveryAttempt Refused(string error) => new(false, false, null, error);
}
