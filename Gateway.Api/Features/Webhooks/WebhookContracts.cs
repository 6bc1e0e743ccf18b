using Gateway.Shared.Data;
using Gateway.Shared.Events;

namespace Gateway.Api.Features.Webhooks;

/// <summary>Events: the kinds of event to receive (docs/api.md#events-on-webhooks); omitted: <c>["message"]</c>.</summary>
public sealed record CreateWebhookRequest(string? Url, string? Secret = null, List<string?>? Events = null);

/// <summary>Omitted (or null) fields stay as they are.</summary>
public sealed record UpdateWebhookRequest(string? Url = null, bool? Active = null, List<string?>? Events = null);

public sealed record WebhookView(int Id, string Url, bool Active, IReadOnlyList<string> Events, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static WebhookView Of(Webhook webhook) => new(webhook.Id, webhook.Url, webhook.Active, webhook.Events, webhook.CreatedAt, webhook.UpdatedAt);
}

/// <summary>The only response that shows the secret.</summary>
public sealed record WebhookCreated(int Id, string Url, bool Active, string Secret, IReadOnlyList<string> Events, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record DeliveryView(
    long Id, string EventId, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTime? NextAttemptAt, DateTime CreatedAt, DateTime? DeliveredAt);

/// <summary>What the OpenAPI document shows for each operation.</summary>
internal static class WebhookExamples
{
    private static readonly DateTime At = new(2026, 4, 27, 10, 0, 0, DateTimeKind.Utc);
    public static readonly CreateWebhookRequest Create = new("https://your-server.com/webhook", Events: [EventKinds.Message, EventKinds.MessageStatus]);
    public static readonly WebhookCreated Created = new(1, "https://your-server.com/webhook", true,
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2bnFOjNHyZs=", [EventKinds.Message, EventKinds.MessageStatus], At, At);
    public static readonly WebhookView Webhook = new(1, "https://your-server.com/webhook", true, [EventKinds.Message, EventKinds.MessageStatus], At, At);
    public static readonly UpdateWebhookRequest Update = new("https://new-url.com/webhook", false);
    public static readonly WebhookView Updated = Webhook with { Url = "https://new-url.com/webhook", Active = false };
    public static readonly DeliveryView[] Deliveries =
        [new(7, "$Xk1_4nL0cQ2m9Zr7bV3pT8sW6yA5dE0fG1hJ2kL3mN4", "delivered", 1, 200, null, null, At, At.AddSeconds(1))];
}
