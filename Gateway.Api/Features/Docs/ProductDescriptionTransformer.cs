using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Api.Features.Docs;

/// <summary>What the document says about the product as a whole: its name, its flows, its licence, its tags and servers.</summary>
public sealed class ProductDescriptionTransformer : IOpenApiDocumentTransformer
{
    public const string ProductName = "Gateway";

    private const string Description = """
        A self-hosted HTTP gateway that gives API clients WhatsApp through Matrix: every token owns a Matrix user that
        drives a bridge to the chat network.

        **The flow**
        1. **Credentials** (HTTP Basic, `CLIENT_ID:CLIENT_SECRET`): the super admin's come from the server's environment;
           it can create more with `POST /api/v1/credentials`.
        2. **Token**: `POST /api/v1/tokens` with Basic auth returns a Matrix token (`mt_…`), shown once. Every other call
           takes it as `Authorization: Bearer mt_…`.
        3. **Link a device**: `POST /api/v1/devices` starts a login and returns `qr_code_url`, a WebSocket that streams
           the QR codes to scan with the phone (WhatsApp → Linked devices), or a pairing code, then `success`.
        4. **Send**: `POST /api/v1/devices/{deviceId}/message` sends text or a file to contacts or groups.
        5. **Receive**: `POST /api/v1/webhooks` registers a URL; every incoming message is POSTed there, signed as
           Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`), so the official libraries verify it.

        Every error is `application/problem+json` with a plain `error` member and a `trace_id`.
        """;

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Credentials", "API clients' Basic-auth credentials and their scopes (super admin or `credentials:*`)."),
        ("Tokens", "Matrix tokens (`mt_…`), each owning or sharing a Matrix identity; created with Basic auth."),
        ("Devices", "Linking phones to the token's Matrix identity by QR code or pairing code, listing and unlinking them."),
        ("Messages", "Sending text and files from a linked device to contacts and groups."),
        ("Webhooks", "Where the token's incoming messages are POSTed, signed as Standard Webhooks, and how each delivery went."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = ProductName,
            Version = "v1",
            Description = Description,
            // No open licence has been chosen for the product: an SPDX reference to its own terms, not a licence it does not have.
            License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" },
        };
        var used = document.Tags?.Select(t => t.Name).ToHashSet() ?? [];
        document.Tags = Tags.Where(t => used.Contains(t.Name))
            .Select(t => new OpenApiTag { Name = t.Name, Description = t.Description })
            .ToHashSet();
        // The servers are the address the document was fetched from; tools join paths to them, so no trailing slash.
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }
        return Task.CompletedTask;
    }
}
