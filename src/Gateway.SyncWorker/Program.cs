using Gateway.Data;
using Gateway.SyncWorker;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<GatewayDb>("gateway",
    settings => settings.DisableRetry = true,
    options => options.UseGatewayConventions());
builder.AddRedisClient("redis");
builder.Services.AddSecretBox(builder.Configuration);
builder.Services.AddHostedService<IdentityCensus>();

var app = builder.Build();
// The worker has no public API: only the health endpoints Aspire and operators probe.
app.MapDefaultEndpoints();
app.Run();
