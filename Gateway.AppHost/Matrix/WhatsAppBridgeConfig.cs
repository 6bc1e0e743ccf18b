using Aspire.Hosting.ApplicationModel;

namespace Gateway.AppHost.Matrix;

/// <summary>
/// mautrix-whatsapp's config.yaml with what its validation refuses to start without (homeserver address and domain,
/// the appservice tokens, the database URI, a permissions map) and what the gateway needs: the default bot and ghost
/// names, the homeserver's users allowed, unencrypted portals, and the send statuses and error notices the gateway turns
/// into <c>message.status</c> events (bridgev2's <c>matrix.message_status_events</c> is off by default). The bridge completes the file with its example's
/// defaults at start (bridgev2's config upgrade), so nothing else is written: no <c>{{.}}</c> templates, whose braces
/// azd would read as expressions.
/// </summary>
public static class WhatsAppBridgeConfig
{
    public const int Port = 29318; // mautrix-whatsapp's default appservice port
    public const string BotLocalpart = "whatsappbot";
    public const string GhostPrefix = "whatsapp_";

    /// <param name="DatabaseUri">A <c>postgres://</c> URI with its <c>sslmode</c>.</param>
    public sealed record Settings(ReferenceExpression HomeserverUrl, string ServerName, ReferenceExpression OwnUrl,
        ReferenceExpression AsToken, ReferenceExpression HsToken, ReferenceExpression DatabaseUri);

    public static ReferenceExpression Render(Settings settings)
    {
        var yaml = new ReferenceExpressionBuilder();
        yaml.AppendLiteral("# Written by the gateway's AppHost (Gateway.AppHost/Matrix/WhatsAppBridgeConfig.cs); the bridge adds its defaults.\nhomeserver:\n");
        yaml.Append($"  address: \"{settings.HomeserverUrl}\"\n");
        yaml.AppendLiteral($"  domain: \"{settings.ServerName}\"\n  software: standard\nappservice:\n");
        yaml.Append($"  address: \"{settings.OwnUrl}\"\n");
        yaml.AppendLiteral($"""
              hostname: 0.0.0.0
              port: {Port}
              id: whatsapp
              bot:
                username: {BotLocalpart}

            """);
        yaml.Append($"  as_token: \"{settings.AsToken}\"\n");
        yaml.Append($"  hs_token: \"{settings.HsToken}\"\n");
        yaml.AppendLiteral("database:\n  type: postgres\n");
        yaml.Append($"  uri: \"{settings.DatabaseUri}\"\n");
        yaml.AppendLiteral($"""
            bridge:
              permissions:
                "{settings.ServerName}": user
            matrix:
              message_status_events: true
              message_error_notices: true
            encryption:
              allow: false
              default: false
              require: false

            """);
        return yaml.Build();
    }
}
