using Gateway.Api.Auth;
using Gateway.Shared.Data;
using Gateway.Shared.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Gateway.Api.Startup;

/// <summary>
/// Applies the schema's migrations, makes the CLIENT_ID/CLIENT_SECRET credential the one active super admin, and seals
/// again under the current encryption key what a previous one sealed (<see cref="CipherResealing"/>).
/// Runs before the Api takes requests; waits for the database with backoff, since a deployment starts its services in
/// any order, and starts over when another replica starting at the same moment got there first.
/// </summary>
public static class DatabaseStartup
{
    private static readonly ResiliencePipeline WaitForDatabase = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder()
                .Handle<NpgsqlException>(e => e.IsTransient || e is PostgresException { SqlState: var state } && RacedByAnotherReplica.Contains(state))
                .Handle<DbUpdateException>(e => e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromSeconds(1),
            MaxDelay = TimeSpan.FromSeconds(15),
            MaxRetryAttempts = 40, // about ten minutes
        })
        .Build();

    /// <summary>
    /// What a replica starting beside another meets when that one created the database, a table or the super admin
    /// first. Each migration is one transaction, so the loser's is rolled back whole; trying again finds the work done.
    /// </summary>
    private static readonly string[] RacedByAnotherReplica =
    [
        PostgresErrorCodes.DuplicateDatabase, PostgresErrorCodes.DuplicateTable, PostgresErrorCodes.DuplicateObject,
        PostgresErrorCodes.DuplicateColumn, PostgresErrorCodes.UniqueViolation,
    ];

    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var clientId = app.Configuration["CLIENT_ID"];
        var clientSecret = app.Configuration["CLIENT_SECRET"];
        if (string.IsNullOrWhiteSpace(clientId) || string.IsNullOrWhiteSpace(clientSecret))
        {
            throw new InvalidOperationException("CLIENT_ID and CLIENT_SECRET must be set (environment or .env).");
        }

        var replaced = await WaitForDatabase.ExecuteAsync(async cancellationToken =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
            await db.Database.MigrateAsync(cancellationToken);
            return await UpsertSuperAdminAsync(db, clientId, clientSecret, cancellationToken);
        });
        if (replaced > 0)
        {
            await app.Services.GetRequiredService<AccessCache>().RevokeAsync(); // other replicas may hold its tokens
        }

        await WaitForDatabase.ExecuteAsync(async cancellationToken =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            await ActivatorUtilities.CreateInstance<CipherResealing>(scope.ServiceProvider).ResealAsync(cancellationToken);
        });
    }

    /// <summary>Returns how many super admins of an earlier CLIENT_ID were deactivated.</summary>
    private static async Task<int> UpsertSuperAdminAsync(GatewayDb db, string clientId, string clientSecret, CancellationToken cancellationToken)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var superAdmin = await db.Credentials.FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);
        if (superAdmin is null)
        {
            superAdmin = new Credential { ClientId = clientId, SecretHash = [], Role = CredentialRoles.SuperAdmin, CreatedAt = now };
            db.Credentials.Add(superAdmin);
        }
        superAdmin.SecretHash = Secrets.Hash(clientSecret);
        superAdmin.Role = CredentialRoles.SuperAdmin;
        superAdmin.Scopes = ["*"];
        superAdmin.Active = true;
        superAdmin.UpdatedAt = now;

        // A super admin from an earlier CLIENT_ID keeps its tokens but can no longer sign in, and its tokens stop working.
        var replaced = await db.Credentials
            .Where(c => c.Role == CredentialRoles.SuperAdmin && c.ClientId != clientId && c.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Active, false).SetProperty(c => c.UpdatedAt, now), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return replaced;
    }
}
