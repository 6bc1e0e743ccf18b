using Gateway.Shared.Data;

namespace Gateway.Api.Features.Webhooks;

public sealed record CreateWebhookRequest(string? Url, string? Secret);

/// <summary>Omitted (or null) fields stay as they are.</summary>
public sealed record UpdateWebhookRequest(string? Url, bool? Active);

public sealed record WebhookView(int Id, string Url, bool Active, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static WebhookView Of(Webhook webhook) => new(webhook.Id, webhook.Url, webhook.Active, webhook.CreatedAt, webhook.UpdatedAt);
}

/// <summary>The only response that shows the secret.</summary>
public sealed record WebhookCreated(int Id, string Url, bool Active, string Secret, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record DeliveryView(
    long Id, string EventId, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTime? NextAttemptAt, DateTime CreatedAt, DateTime? DeliveredAt);
