using System.Net;
using System.Text.Json;
using Gateway.Sandbox.Bridge;
using Gateway.Sandbox.Control;
using Gateway.Sandbox.Matrix;
using Gateway.Sandbox.Platforms;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

// The control API can link phones and forge messages: it must never be reachable from another machine, whatever
// address the host was told to use. Only the port of the configured URL is kept.
var port = builder.Configuration["urls"]?.Split(';').Select(u => new Uri(u.Replace("*", "localhost").Replace("+", "localhost")).Port).FirstOrDefault() ?? 8081;
builder.WebHost.UseUrls($"http://{IPAddress.Loopback}:{port}");

builder.Services.AddOptions<HomeserverOptions>().BindConfiguration(HomeserverOptions.Section)
    .Validate(o => o.HomeserverUrl is { IsAbsoluteUri: true }, "Matrix:HomeserverUrl is not set.").ValidateOnStart();
builder.Services.AddHttpClient("homeserver", (services, http) =>
    http.BaseAddress = services.GetRequiredService<IOptions<HomeserverOptions>>().Value.HomeserverUrl);
builder.Services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.Section);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<FailureSwitches>();
builder.Services.AddSingleton<Bridges>();
builder.Services.AddSingleton<EventQueue>();
builder.Services.AddSingleton<EventRouter>();
builder.Services.AddSingleton<OutgoingEvents>();
builder.Services.AddSingleton<LoginCommand>();
builder.Services.AddSingleton<ResolveIdentifierCommand>();
builder.Services.AddSingleton<CommandHandler>();
builder.Services.AddSingleton<BridgeReadiness>();
builder.Services.AddSingleton<BridgeStateFile>();
builder.Services.AddHostedService<BridgeWorker>();
builder.Services.AddHealthChecks().AddCheck<BridgeReadiness>("bridge");
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);

var app = builder.Build();
app.Services.GetRequiredService<BridgeStateFile>().Attach();
app.UseControlErrors();
app.MapDefaultEndpoints();
app.MapAppServiceApi();
app.MapControlApi();
app.Run();
