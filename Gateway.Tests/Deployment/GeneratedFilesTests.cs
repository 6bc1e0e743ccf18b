using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Gateway.AppHost.Matrix;
using static Gateway.AppHost.InfrastructureExtensions;
using YamlDotNet.RepresentationModel;

namespace Gateway.Tests.Deployment;

/// <summary>
/// The three files the containers get, rendered by the AppHost's generators with real values and checked for real:
/// Synapse starts with homeserver.yaml and the registration (the local Synapse, on a local PostgreSQL, as the
/// container runs it on its own), and the bridge config has what mautrix-whatsapp refuses to start without.
/// </summary>
[Collection(DeploymentCollection.Name)]
public sealed class GeneratedFilesTests
{
    private const string ServerName = "gateway.example.org";
    private static readonly string Repository = Path.GetFullPath(Path.Combine(Projects.Gateway_AppHost.ProjectPath, "..")); // the AppHost's folder

    [Fact]
    public async Task The_registration_reserves_the_bots_and_ghosts_names_on_the_server_only()
    {
        var registration = Yaml(await RegistrationAsync("http://whatsapp:29318"));

        Assert.Equal(["as-token-0123456789", "hs-token-0123456789", "whatsappbot", "http://whatsapp:29318"],
            new[] { "as_token", "hs_token", "sender_localpart", "url" }.Select(key => Scalar(registration, key)));
        var regexes = ((YamlSequenceNode)((YamlMappingNode)registration["namespaces"])["users"]).Select(u => Scalar((YamlMappingNode)u, "regex")).ToList();
        Assert.All(((YamlSequenceNode)((YamlMappingNode)registration["namespaces"])["users"]), u => Assert.Equal("true", Scalar((YamlMappingNode)u, "exclusive")));
        bool Reserved(string userId) => regexes.Any(r => Regex.IsMatch(userId, r));
        Assert.True(Reserved($"@whatsappbot:{ServerName}"));
        Assert.True(Reserved($"@whatsapp_lid-123456789012345:{ServerName}"));
        Assert.False(Reserved("@whatsapp_lid-1:elsewhere.org"));
        Assert.False(Reserved($"@alice:{ServerName}"));
    }

    [Fact]
    public async Task The_bridge_config_has_every_key_the_bridge_refuses_to_start_without_and_no_placeholder()
    {
        var text = await ResolveAsync(WhatsAppBridgeConfig.Render(new(Literal("http://homeserver:8008"), ServerName, Literal("http://whatsapp:29318"),
            Literal("as-token-0123456789"), Literal("hs-token-0123456789"), Literal("postgresql://postgres:secret@postgres:5432/mautrix_whatsapp?sslmode=disable"))));
        var config = Yaml(text);

        // mautrix/go bridgev2/matrix/mxmain validateConfig: these may not be missing or left as the example's.
        Assert.Equal("http://homeserver:8008", Scalar(config, "homeserver", "address"));
        Assert.Equal(ServerName, Scalar(config, "homeserver", "domain"));
        Assert.Equal(("as-token-0123456789", "hs-token-0123456789"), (Scalar(config, "appservice", "as_token"), Scalar(config, "appservice", "hs_token")));
        Assert.Equal("postgresql://postgres:secret@postgres:5432/mautrix_whatsapp?sslmode=disable", Scalar(config, "database", "uri"));
        Assert.Equal("user", Scalar(config, "bridge", "permissions", ServerName));
        Assert.Equal(("whatsappbot", "29318", "http://whatsapp:29318"),
            (Scalar(config, "appservice", "bot", "username"), Scalar(config, "appservice", "port"), Scalar(config, "appservice", "address")));
        Assert.Equal("false", Scalar(config, "encryption", "require"));
        Assert.Equal(("true", "true"), (Scalar(config, "matrix", "message_status_events"), Scalar(config, "matrix", "message_error_notices")));
        foreach (var placeholder in new[] { "example.com", "This value is generated", "user:password@host", "{{" })
        {
            Assert.DoesNotContain(placeholder, text);
        }
    }

    [Fact]
    public async Task Synapse_starts_with_the_generated_homeserver_yaml_and_registration_on_postgres()
    {
        using var state = new TemporaryFolder();
        var postgresPort = FreePort();
        using var postgres = Run("bash", Path.Combine(Repository, "scripts", "local", "postgres.sh"), Path.Combine(state.Path, "postgres"), postgresPort.ToString());
        await using (var connection = await ConnectAsync($"Host=127.0.0.1;Port={postgresPort};Username=postgres;Database=postgres", postgres))
        {
            await using var create = connection.CreateCommand();
            create.CommandText = "CREATE DATABASE synapse ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0"; // as the containers' Postgres does
            await create.ExecuteNonQueryAsync();
        }
        var synapse = Directory.CreateDirectory(Path.Combine(state.Path, "synapse")).FullName;
        Directory.CreateDirectory(Path.Combine(synapse, "appservices"));
        await File.WriteAllTextAsync(Path.Combine(synapse, "appservices", "whatsapp.yaml"), await RegistrationAsync("http://127.0.0.1:9"));
        var port = FreePort();
        var homeserver = HomeserverYaml.Render(new(ServerName, "127.0.0.1", port, "/data",
            new SynapseDatabase.Postgres(Literal("127.0.0.1"), Literal(postgresPort.ToString()), Literal("postgres"), Literal("unused-with-trust"), "synapse"),
            Literal("registration-secret"), Literal("macaroon-secret"), Literal("form-secret"), ["/data/appservices/whatsapp.yaml"]));
        await File.WriteAllTextAsync(Path.Combine(synapse, "homeserver.yaml"), await ResolveAsync(homeserver));

        using var running = Run("bash", Path.Combine(Repository, "scripts", "local", "synapse.sh"), synapse);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            if (running.Process.HasExited)
            {
                Assert.Fail($"Synapse exited ({running.Process.ExitCode}): {running.Output}");
            }
            try
            {
                if ((await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, $"Synapse did not answer /health: {running.Output}");
            await Task.Delay(500);
        }
        // The registration is loaded: its as_token is the bridge bot's, on the server the files name.
        using var whoami = new HttpRequestMessage(HttpMethod.Get, "/_matrix/client/v3/account/whoami") { Headers = { Authorization = new("Bearer", "as-token-0123456789") } };
        var answer = await http.SendAsync(whoami);
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.IsSuccessStatusCode, body);
        Assert.Equal($"@whatsappbot:{ServerName}", System.Text.Json.Nodes.JsonNode.Parse(body)!["user_id"]!.GetValue<string>());
    }

    private static Task<string> RegistrationAsync(string url) =>
        ResolveAsync(AppServiceRegistrationYaml.Render(new("whatsapp", Literal(url), Literal("as-token-0123456789"), Literal("hs-token-0123456789"),
            WhatsAppBridgeConfig.BotLocalpart, WhatsAppBridgeConfig.GhostPrefix, ServerName)));

    private static async Task<string> ResolveAsync(ReferenceExpression expression) => (await expression.GetValueAsync(CancellationToken.None))!;

    private static YamlMappingNode Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            current = ((YamlMappingNode)current)[key];
        }
        return ((YamlScalarNode)current).Value!;
    }

    private static async Task<Npgsql.NpgsqlConnection> ConnectAsync(string connectionString, RunningProcess server)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var connection = new Npgsql.NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                return connection;
            }
            catch (Npgsql.NpgsqlException) when (attempt < 60)
            {
                if (server.Process.HasExited)
                {
                    Assert.Fail($"PostgreSQL exited: {server.Output}");
                }
                await Task.Delay(500);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static RunningProcess Run(string command, params string[] args) => new(command, args);

    /// <summary>A program run for the test, its output kept for the failure message, its whole tree stopped at the end.</summary>
    private sealed class RunningProcess : IDisposable
    {
        private readonly System.Text.StringBuilder output = new();

        public RunningProcess(string command, string[] args)
        {
            var start = new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true };
            Process = Process.Start(start)!;
            Process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            Process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output { get { lock (output) { return output.ToString(); } } }

        public void Dispose()
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
            Process.Dispose();
        }
    }

    private sealed class TemporaryFolder : IDisposable
    {
        public TemporaryFolder()
        {
            var folder = Directory.CreateTempSubdirectory("generated-files-");
            // PostgreSQL runs as its own user and must reach its data folder inside this one (the tests run on Linux only).
#pragma warning disable CA1416
            File.SetUnixFileMode(folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
#pragma warning restore CA1416
            Path = folder.FullName;
        }

        public string Path { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // a server still closing its files: the temp folder is tidied by the system
            }
        }
    }
}
