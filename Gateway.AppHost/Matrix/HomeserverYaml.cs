using Aspire.Hosting.ApplicationModel;

namespace Gateway.AppHost.Matrix;

/// <summary>Where Synapse keeps its data: a SQLite file (local mode) or a PostgreSQL database with C collation (containers).</summary>
public abstract record SynapseDatabase
{
    public sealed record Sqlite(string Path) : SynapseDatabase;

    /// <param name="SslMode">libpq's <c>sslmode</c>: <c>require</c> for Azure's flexible server, which refuses plain connections.</param>
    public sealed record Postgres(ReferenceExpression Host, ReferenceExpression Port, ReferenceExpression User,
        ReferenceExpression Password, string Name, string SslMode = "prefer") : SynapseDatabase;
}

/// <summary>
/// Synapse's homeserver.yaml, the one generator for both modes (local Synapse in its chroot, the
/// <c>matrixdotorg/synapse</c> container). Block style only and no braces, so the text can go through the manifest
/// where azd reads <c>{…}</c> as an expression (README.md#deploy). Secrets and addresses are expressions: run mode
/// resolves them, the manifest carries them as references to generated parameters and bindings.
/// </summary>
public static class HomeserverYaml
{
    /// <param name="DataDirectory">Synapse's <c>/data</c>: keys, media, log config, registrations.</param>
    /// <param name="AppServiceFiles">Registration files (bridges) Synapse loads at start, as paths it sees.</param>
    public sealed record Settings(
        string ServerName,
        string BindAddress,
        int Port,
        string DataDirectory,
        SynapseDatabase Database,
        ReferenceExpression RegistrationSecret,
        ReferenceExpression MacaroonSecret,
        ReferenceExpression FormSecret,
        IReadOnlyList<string> AppServiceFiles,
        string? LogConfig = null);

    /// <summary>
    /// The gateway is Synapse's only client: its per-user rate limits would throttle the bots and benchmarks. Each
    /// limit is lifted as a whole, or (with kinds) each of its kinds.
    /// </summary>
    private static readonly (string Limit, string[] Kinds)[] RateLimits =
    [
        ("rc_message", []), ("rc_registration", []), ("rc_login", ["address", "account", "failed_attempts"]),
        ("rc_joins", ["local", "remote"]), ("rc_joins_per_room", []), ("rc_invites", ["per_room", "per_user", "per_issuer"]),
        ("rc_admin_redaction", []), ("rc_media_create", []), ("rc_room_creation", []), ("rc_delayed_event_mgmt", []),
    ];

    public static ReferenceExpression Render(Settings settings)
    {
        var yaml = new ReferenceExpressionBuilder();
        var data = settings.DataDirectory;
        yaml.AppendLiteral($"""
            # Written by the gateway's AppHost (Gateway.AppHost/Matrix/HomeserverYaml.cs) at every start.
            server_name: "{settings.ServerName}"
            pid_file: {data}/homeserver.pid
            listeners:
              - port: {settings.Port}
                bind_addresses:
                  - "{settings.BindAddress}"
                type: http
                tls: false
                x_forwarded: true
                resources:
                  - names:
                      - client
                    compress: false

            """);
        AppendDatabase(yaml, settings.Database);
        if (settings.LogConfig is { } logConfig)
        {
            yaml.AppendLiteral($"log_config: {logConfig}\n");
        }
        yaml.AppendLiteral($"""
            media_store_path: {data}/media_store
            max_upload_size: 200M
            signing_key_path: {data}/signing.key

            """);
        yaml.Append($"registration_shared_secret: \"{settings.RegistrationSecret}\"\n");
        yaml.Append($"macaroon_secret_key: \"{settings.MacaroonSecret}\"\n");
        yaml.Append($"form_secret: \"{settings.FormSecret}\"\n");
        yaml.AppendLiteral("""
            report_stats: false
            enable_registration: false
            trusted_key_servers: []
            suppress_key_server_warning: true
            federation_domain_whitelist: []
            url_preview_enabled: false
            # Synapse caps /sync timelines at 100 events by default; a client asking for more (the benchmark's bare
            # baseline client) gets them. The SyncWorker asks for 100 and pages the rest in from /messages.
            filter_timeline_limit: 1000
            presence:
              enabled: false

            """);
        yaml.AppendLiteral(settings.AppServiceFiles.Count == 0 ? "app_service_config_files: []\n" : "app_service_config_files:\n");
        foreach (var file in settings.AppServiceFiles)
        {
            yaml.AppendLiteral($"  - {file}\n");
        }
        AppendRateLimits(yaml);
        return yaml.Build();
    }

    private static void AppendDatabase(ReferenceExpressionBuilder yaml, SynapseDatabase database)
    {
        switch (database)
        {
            case SynapseDatabase.Sqlite sqlite:
                yaml.AppendLiteral($"""
                    database:
                      name: sqlite3
                      args:
                        database: {sqlite.Path}

                    """);
                break;
            case SynapseDatabase.Postgres postgres:
                yaml.AppendLiteral("database:\n  name: psycopg2\n  args:\n");
                yaml.Append($"    host: \"{postgres.Host}\"\n");
                yaml.Append($"    port: {postgres.Port}\n");
                yaml.Append($"    user: \"{postgres.User}\"\n");
                yaml.Append($"    password: \"{postgres.Password}\"\n");
                yaml.AppendLiteral($"    dbname: \"{postgres.Name}\"\n    sslmode: {postgres.SslMode}\n    cp_min: 2\n    cp_max: 10\n");
                break;
        }
    }

    private static void AppendRateLimits(ReferenceExpressionBuilder yaml)
    {
        static string Unlimited(string indent) => $"{indent}per_second: 100000\n{indent}burst_count: 100000\n";
        foreach (var (limit, kinds) in RateLimits)
        {
            yaml.AppendLiteral($"{limit}:\n" + (kinds.Length == 0 ? Unlimited("  ") : string.Concat(kinds.Select(kind => $"  {kind}:\n" + Unlimited("    ")))));
        }
    }
}
