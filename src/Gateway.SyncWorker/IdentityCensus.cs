using Gateway.Data;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Gateway.SyncWorker;

/// <summary>
/// At start, reaches Postgres and Redis and reports the Matrix identities the worker is responsible for.
/// (Their /sync loops arrive with the devices feature.)
/// </summary>
public sealed class IdentityCensus(IServiceScopeFactory scopes, IConnectionMultiplexer redis, ILogger<IdentityCensus> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
        var identities = await db.MatrixIdentities.CountAsync(stoppingToken);
        var latency = await redis.GetDatabase().PingAsync();
        logger.LogInformation("Sync worker ready: {Identities} Matrix identities, Redis answers in {Latency} ms",
            identities, latency.TotalMilliseconds);
    }
}
