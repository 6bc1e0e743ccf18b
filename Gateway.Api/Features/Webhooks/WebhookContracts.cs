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

/// <summary>What the OpenAPI document shows for each operation.</summary>
internal static class WebhookExamples
{
    private static readonly DateTime At = new(2026, 4, 27, 10, 0, 0, DateTimeKind.Utc);
    public static readonly CreateWebhookRequest Create = new("https://your-server.com/webhook", null);
    public static readonly WebhookCreated Created =
        new(1, "https://your-server.com/webhook", true, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2bnFOjNHyZs=", At, At);
    public static readonly WebhookView Webhook = new(1, "https://your-server.com/webhook", true, At, At);
    public static readonly UpdateWebhookRequest Update = new("https://new-url.com/webhook", false);
    public static readonly WebhookView Updated = Webhook with { Url = "https://new-url.com/webhook", Active = false };
    public static readonly DeliveryView[] Deliveries =
        [new(7, "$Xk1_4nL0cQ2m9Zr7bV3pT8sW6yA5dE0fG1hJ2kL3mN4", "delivered", 1, 200, null, null, At, At.AddSeconds(1))];
}
