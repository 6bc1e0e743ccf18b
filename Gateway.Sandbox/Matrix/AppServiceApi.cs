using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Sandbox.Bridge;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Sandbox.Matrix;

/// <summary>
/// The application-service API the homeserver calls (Matrix AS spec v1): event transactions, user and room queries,
/// and ping. Every call must carry one of our hs_tokens.
/// </summary>
public static class AppServiceApi
{
    // Homeservers resend a transaction they are not sure we got; the same id must not run its commands twice. A resent
    // transaction carries the same events, so it is known by its id and its first event: Synapse on SQLite (local mode)
    // numbers transactions again from 1 after a restart, and those new transactions must not be taken for old ones.
    private static readonly ConcurrentDictionary<string, DateTimeOffset> SeenTransactions = new();

    public static RouteGroupBuilder MapAppServiceApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/_matrix/app/v1").ExcludeFromDescription();
        api.MapPut("/transactions/{txnId}", PutTransaction);
        api.MapGet("/users/{userId}", QueryUser);
        api.MapGet("/rooms/{alias}", QueryRoom);
        api.MapPost("/ping", Ping);
        return api;
    }

    private static async Task<Results<Ok<object>, JsonHttpResult<MatrixError>>> PutTransaction(
        string txnId, HttpRequest request, Bridges bridges, EventQueue queue, ILoggerFactory loggers)
    {
        if (Authenticate(request, bridges) is not { } bridge)
        {
            return Forbidden();
        }
        var body = await JsonSerializer.DeserializeAsync<Transaction>(request.Body, MatrixClient.Json);
        if (!SeenTransactions.TryAdd($"{bridge.Platform.Name}/{txnId}/{body?.Events?.FirstOrDefault()?.EventId}", DateTimeOffset.UtcNow))
        {
            return TypedResults.Ok<object>(new { });
        }
        ForgetOldTransactions();
        foreach (var e in body?.Events ?? [])
        {
            queue.Enqueue(bridge, e);
        }
        // Read receipts come only because the registration asks for ephemeral events (MSC2409); typing and presence
        // mean nothing to the remote chat here.
        foreach (var e in (body?.Ephemeral ?? body?.UnstableEphemeral ?? []).Where(e => e.Type == "m.receipt"))
        {
            queue.Enqueue(bridge, e);
        }
        return TypedResults.Ok<object>(new { });
    }

    private static Results<Ok<object>, JsonHttpResult<MatrixError>> QueryUser(string userId, HttpRequest request, Bridges bridges) =>
        Authenticate(request, bridges) is not { } bridge ? Forbidden()
        : bridge.Platform.IsBridgeUser(userId) ? TypedResults.Ok<object>(new { })
        : TypedResults.Json(new MatrixError("M_NOT_FOUND", "No such user"), statusCode: StatusCodes.Status404NotFound);

    private static Results<Ok<object>, JsonHttpResult<MatrixError>> QueryRoom(string alias, HttpRequest request, Bridges bridges) =>
        Authenticate(request, bridges) is null ? Forbidden()
        : TypedResults.Json(new MatrixError("M_NOT_FOUND", "The sandbox has no room aliases"), statusCode: StatusCodes.Status404NotFound);

    private static Results<Ok<object>, JsonHttpResult<MatrixError>> Ping(HttpRequest request, Bridges bridges) =>
        Authenticate(request, bridges) is null ? Forbidden() : TypedResults.Ok<object>(new { });

    /// <summary>The hs_token comes as a bearer token (current spec) or as <c>?access_token=</c> (older homeservers).</summary>
    private static PlatformBridge? Authenticate(HttpRequest request, Bridges bridges)
    {
        var header = request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : request.Query["access_token"].ToString();
        return token.Length == 0 ? null : bridges.ByHomeserverToken(token);
    }

    private static JsonHttpResult<MatrixError> Forbidden() =>
        TypedResults.Json(new MatrixError("M_FORBIDDEN", "Unknown homeserver token"), statusCode: StatusCodes.Status403Forbidden);

    private static void ForgetOldTransactions()
    {
        if (SeenTransactions.Count < 10_000)
        {
            return;
        }
        var cutoff = DateTimeOffset.UtcNow.AddHours(-1);
        foreach (var (id, seen) in SeenTransactions)
        {
            if (seen < cutoff)
            {
                SeenTransactions.TryRemove(id, out _);
            }
        }
    }

    private sealed record Transaction(
        List<MatrixEvent>? Events,
        List<MatrixEvent>? Ephemeral,
        [property: JsonPropertyName("de.sorunome.msc2409.ephemeral")] List<MatrixEvent>? UnstableEphemeral);

    public sealed record MatrixError(string Errcode, string Error);
}
