using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;

namespace Gateway.AppHost.Matrix;

/// <summary>
/// A Matrix application-service registration, as a mautrix bridge's <c>-g</c> writes it: the bot as sender, and exclusive
/// namespaces so that only the bridge can hold names like its bot's and its ghosts'. Synapse loads it at start; the
/// bridge itself never reads it. One generator for the sandbox (local) and mautrix-whatsapp (containers).
/// </summary>
public static class AppServiceRegistrationYaml
{
    /// <param name="Url">Where the homeserver pushes events: the bridge's own HTTP address.</param>
    /// <param name="GhostPrefix">The ghosts' localparts start with it (<c>whatsapp_</c>).</param>
    public sealed record Settings(string Id, ReferenceExpression Url, ReferenceExpression AsToken, ReferenceExpression HsToken,
        string BotLocalpart, string GhostPrefix, string ServerName);

    public static ReferenceExpression Render(Settings settings)
    {
        var server = Regex.Escape(settings.ServerName);
        var yaml = new ReferenceExpressionBuilder();
        yaml.AppendLiteral($"# Written by the gateway's AppHost (Gateway.AppHost/Matrix/AppServiceRegistrationYaml.cs).\nid: \"{settings.Id}\"\n");
        yaml.Append($"url: \"{settings.Url}\"\n");
        yaml.Append($"as_token: \"{settings.AsToken}\"\n");
        yaml.Append($"hs_token: \"{settings.HsToken}\"\n");
        yaml.AppendLiteral($"""
            sender_localpart: "{settings.BotLocalpart}"
            rate_limited: false
            namespaces:
              users:
                - exclusive: true
                  regex: '^@{Regex.Escape(settings.BotLocalpart)}:{server}$'
                - exclusive: true
                  regex: '^@{Regex.Escape(settings.GhostPrefix)}.+:{server}$'
              aliases: []
              rooms: []
            de.sorunome.msc2409.push_ephemeral: true
            receive_ephemeral: true

            """);
        return yaml.Build();
    }
}
