using System.Globalization;
using System.Security.Claims;
using Gateway.Api.Auth;
using Gateway.Api.Errors;
using Gateway.Api.Features.Docs;
using Gateway.Shared.Data;
using Gateway.Shared.Events;
using Gateway.Shared.Security;
using Gateway.Shared.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Features.Webhooks;

/// <summary>A token's webhooks: each token sees and changes only its own; anything else is "not found".</summary>
public static class WebhooksApi
{
    private const string NotFound = "Webhook not found";
    private const string UrlTaken = "Webhook URL already exists for this token";
    public const int MaxSecretLength = 256;
    private const int RecentDeliveries = 100;

    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/webhooks").WithTags("Webhooks").RequireMatrixToken();
        api.MapPost("/", CreateWebhook)
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict)
            .WithName("createWebhook").WithSummary("Add a webhook")
            .WithExample(WebhookExamples.Create, WebhookExamples.Created)
            .WithDescription("Incoming messages of the token's Matrix identity are POSTed to the URL, signed as Standard Webhooks "
                + "with the secret (whsec_ + base64 of 24 to 64 bytes; generated when absent). The secret is shown only in this response. "
                + "events picks the kinds received: message (the default), message.status, message.reaction, message.edited, "
                + "message.deleted, device.status, or * for all.");
        api.MapGet("/", ListWebhooks)
            .WithName("listWebhooks")
            .WithExample(null, new[] { WebhookExamples.Webhook })
            .WithSummary("List the token's webhooks");
        api.MapPut("/{webhookId}", UpdateWebhook)
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict)
            .WithName("updateWebhook")
            .WithExample(WebhookExamples.Update, WebhookExamples.Updated)
            .WithSummary("Change a webhook's URL, active flag or event kinds").WithDescription("Omitted fields keep their value.");
        api.MapDelete("/{webhookId}", DeleteWebhook).ProducesErrors(StatusCodes.Status404NotFound)
            .WithName("deleteWebhook")
            .WithExample(null, new MessageResponse("Webhook deleted successfully"))
            .WithSummary("Delete a webhook and its pending deliveries");
        api.MapGet("/{webhookId}/deliveries", ListDeliveries)
            .ProducesErrors(StatusCodes.Status404NotFound)
            .WithName("listWebhookDeliveries").WithSummary("Recent deliveries of a webhook")
            .WithExample(null, WebhookExamples.Deliveries)
            .WithDescription($"The {RecentDeliveries} most recent, newest first: status pending, delivered or failed, attempts and the last error.");
        return api;
    }

    private static async Task<Results<Created<WebhookCreated>, ProblemHttpResult>> CreateWebhook(
        CreateWebhookRequest request, ClaimsPrincipal user, GatewayDb db, WebhookUrlPolicy policy, SecretBox secretBox,
        IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Url))
        {
            return ApiProblems.BadRequest("Missing required field: url");
        }
        if (request.Secret?.Length > MaxSecretLength)
        {
            return ApiProblems.BadRequest($"Secret is too long: at most {MaxSecretLength} characters");
        }
        if (!string.IsNullOrEmpty(request.Secret) && !WebhookSecret.IsWellFormed(request.Secret))
        {
            return ApiProblems.BadRequest(WebhookSecret.Malformed);
        }
        var (events, invalidEvents) = request.Events is null ? ([.. EventKinds.Default], null) : EventKinds.Parse(request.Events);
        if (invalidEvents is not null)
        {
            return ApiProblems.BadRequest(invalidEvents);
        }
        var tokenId = user.ApiTokenId();
        var url = request.Url.Trim();
        if (await ValidateUrlAsync(url, policy, cancellationToken) is { } invalid)
        {
            return invalid;
        }
        if (await db.Webhooks.AnyAsync(w => w.TokenId == tokenId && w.Url == url, cancellationToken))
        {
            return ApiProblems.Conflict(UrlTaken);
        }
        var max = options.Value.MaxPerToken;
        if (await db.Webhooks.CountAsync(w => w.TokenId == tokenId, cancellationToken) >= max)
        {
            return ApiProblems.BadRequest($"Webhook limit reached: at most {max} per token");
        }

        var secret = string.IsNullOrEmpty(request.Secret) ? WebhookSecret.NewRandom() : request.Secret;
        var now = clock.GetUtcNow().UtcDateTime;
        var webhook = new Webhook { TokenId = tokenId, Url = url, SecretCipher = secretBox.Seal(secret), Events = events!, CreatedAt = now, UpdatedAt = now };
        db.Webhooks.Add(webhook);
        if (!await TrySaveAsync(db, cancellationToken))
        {
            return ApiProblems.Conflict(UrlTaken);
        }
        return TypedResults.Created($"/api/v1/webhooks/{webhook.Id}",
            new WebhookCreated(webhook.Id, webhook.Url, webhook.Active, secret, webhook.Events, webhook.CreatedAt, webhook.UpdatedAt));
    }

    private static async Task<Ok<List<WebhookView>>> ListWebhooks(ClaimsPrincipal user, GatewayDb db, CancellationToken cancellationToken)
    {
        var tokenId = user.ApiTokenId();
        var webhooks = await db.Webhooks.AsNoTracking().Where(w => w.TokenId == tokenId).OrderBy(w => w.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(webhooks.Select(WebhookView.Of).ToList());
    }

    private static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> UpdateWebhook(
        string webhookId, UpdateWebhookRequest request, ClaimsPrincipal user, GatewayDb db, WebhookUrlPolicy policy,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await FindOwnAsync(db, user, webhookId, cancellationToken) is not { } webhook)
        {
            return ApiProblems.NotFound(NotFound);
        }
        List<string>? events = null;
        if (request.Events is not null)
        {
            (events, var invalidEvents) = EventKinds.Parse(request.Events);
            if (invalidEvents is not null)
            {
                return ApiProblems.BadRequest(invalidEvents);
            }
        }
        if (request.Url is not null)
        {
            var url = request.Url.Trim();
            if (url.Length == 0)
            {
                return ApiProblems.BadRequest("URL cannot be empty");
            }
            if (await ValidateUrlAsync(url, policy, cancellationToken) is { } invalid)
            {
                return invalid;
            }
            if (url != webhook.Url && await db.Webhooks.AnyAsync(w => w.TokenId == webhook.TokenId && w.Url == url, cancellationToken))
            {
                return ApiProblems.Conflict(UrlTaken);
            }
            webhook.Url = url;
        }
        webhook.Active = request.Active ?? webhook.Active;
        if (events is not null && !events.SequenceEqual(webhook.Events))
        {
            webhook.Events = events;
        }
        if (db.Entry(webhook).State == EntityState.Modified) // an update that changes nothing leaves updated_at as it was
        {
            webhook.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        }
        if (!await TrySaveAsync(db, cancellationToken))
        {
            return ApiProblems.Conflict(UrlTaken);
        }
        return TypedResults.Ok(WebhookView.Of(webhook));
    }

    private static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> DeleteWebhook(
        string webhookId, ClaimsPrincipal user, GatewayDb db, CancellationToken cancellationToken)
    {
        if (await FindOwnAsync(db, user, webhookId, cancellationToken) is not { } webhook)
        {
            return ApiProblems.NotFound(NotFound);
        }
        db.Webhooks.Remove(webhook); // its deliveries go with it (cascade), so nothing more is sent
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new MessageResponse("Webhook deleted successfully"));
    }

    private static async Task<Results<Ok<List<DeliveryView>>, ProblemHttpResult>> ListDeliveries(
        string webhookId, ClaimsPrincipal user, GatewayDb db, CancellationToken cancellationToken)
    {
        if (await FindOwnAsync(db, user, webhookId, cancellationToken) is not { } webhook)
        {
            return ApiProblems.NotFound(NotFound);
        }
        // Only the listed columns: a pending delivery's payload may carry a whole file.
        var deliveries = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.WebhookId == webhook.Id)
            .OrderByDescending(d => d.Id)
            .Take(RecentDeliveries)
            .Select(d => new { d.Id, d.EventId, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.NextAttemptAt, d.CreatedAt, d.DeliveredAt })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(deliveries.Select(d => new DeliveryView(d.Id, d.EventId, d.Status.ToString().ToLowerInvariant(), d.Attempts,
            d.LastStatusCode, d.LastError, d.NextAttemptAt, d.CreatedAt, d.DeliveredAt)).ToList());
    }

    private static async Task<ProblemHttpResult?> ValidateUrlAsync(string url, WebhookUrlPolicy policy, CancellationToken cancellationToken) =>
        WebhookUrlPolicy.Parse(url) is not { } uri ? ApiProblems.BadRequest(WebhookUrlPolicy.InvalidFormat)
        : !await policy.IsAllowedAsync(uri, cancellationToken) ? ApiProblems.BadRequest(WebhookUrlPolicy.NotAllowed)
        : null;

    /// <summary>The caller's own webhook; another token's (or a malformed id) is simply not found.</summary>
    private static async Task<Webhook?> FindOwnAsync(GatewayDb db, ClaimsPrincipal user, string webhookId, CancellationToken cancellationToken)
    {
        if (!int.TryParse(webhookId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }
        var tokenId = user.ApiTokenId();
        return await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id && w.TokenId == tokenId, cancellationToken);
    }

    /// <summary>False when a concurrent request took the same URL for this token first.</summary>
    private static async Task<bool> TrySaveAsync(GatewayDb db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return false;
        }
    }
}
