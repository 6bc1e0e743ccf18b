using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Errors;

/// <summary>
/// Every error is problem+json (<c>type</c> <c>about:blank</c>) that also carries the plain <c>error</c> member existing
/// clients read, and a <c>trace_id</c>. On a 5xx, <c>error</c> is always the same "Oops" text; <c>detail</c> says what
/// happened when the gateway itself chose the status (an unreachable homeserver, an unavailable bridge), and is the same
/// "Oops" for anything unexpected, so nothing internal leaks.
/// </summary>
public static class ApiProblems
{
    public const string InvalidBody = "Invalid request body. Must be a JSON object.";
    public const string Internal = "Oops! something went wrong. Please try again later.";

    public const string Type = "about:blank";

    public static ProblemHttpResult Problem(int status, string error) =>
        TypedResults.Problem(new ProblemDetails { Type = Type, Status = status, Detail = error, Extensions = { ["error"] = error } });

    public static ProblemHttpResult BadRequest(string error) => Problem(StatusCodes.Status400BadRequest, error);
    public static ProblemHttpResult NotFound(string error) => Problem(StatusCodes.Status404NotFound, error);
    public static ProblemHttpResult Forbidden(string error) => Problem(StatusCodes.Status403Forbidden, error);
    public static ProblemHttpResult Conflict(string error) => Problem(StatusCodes.Status409Conflict, error);

    /// <summary>Fills in what the framework's own problems lack: the type, <c>error</c> and <c>trace_id</c>, and no internals on 5xx.</summary>
    public static IServiceCollection AddGatewayProblemDetails(this IServiceCollection services) => services
        // A request that does not bind then throws a BadHttpRequestException, for the customizer below to word.
        .Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true)
        .AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            if (context.Exception is BadHttpRequestException badRequest)
            {
                // Minimal APIs report unreadable JSON (and JSON that is not an object of the right shape) this way.
                problem.Status = badRequest.StatusCode;
                context.HttpContext.Response.StatusCode = badRequest.StatusCode;
                problem.Detail = badRequest.StatusCode == StatusCodes.Status400BadRequest ? InvalidBody : badRequest.Message;
            }
            else if (problem.Status >= 500 && (context.Exception is not null || problem.Detail is null))
            {
                problem.Detail = Internal;
                problem.Extensions.Remove("exception");
            }
            if (problem.Status == StatusCodes.Status413PayloadTooLarge)
            {
                problem.Detail = TooLarge(context.HttpContext);
            }
            problem.Type = Type;
            problem.Detail ??= problem.Title;
            problem.Extensions["error"] = problem.Status >= 500 ? Internal : problem.Detail;
            problem.Extensions.Remove("traceId");
            problem.Extensions["trace_id"] = TraceId(context.HttpContext);
        })
        // After the framework's writer, so it only writes what that one declines.
        .AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();

    /// <summary>
    /// A body over its limit, whoever found it: Kestrel (over the request's limit, thrown or, for a JSON parameter,
    /// a bare 413 status) or the form reader (a file over <c>Messages:MaxFileBytes</c>). Told with the limit that applied.
    /// </summary>
    private static string TooLarge(HttpContext http)
    {
        if (http.Request.HasFormContentType)
        {
            var fileLimit = http.RequestServices.GetRequiredService<IOptions<FormOptions>>().Value.MultipartBodyLengthLimit;
            return $"Uploaded file is too large: the limit is {Mebibytes(fileLimit)} MiB";
        }
        var bodyLimit = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0;
        return $"Request body is too large: the limit is {Mebibytes(bodyLimit)} MiB";
    }

    private static string Mebibytes(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The id to quote when reporting a failed request: the trace it was recorded under.</summary>
    public static string TraceId(HttpContext http) => Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;

    /// <summary>Our own database or Redis is restarting or unreachable (EF may wrap it): retrying soon is the right answer.</summary>
    private static bool IsOutage(Exception? exception) => exception switch
    {
        null => false,
        Npgsql.NpgsqlException { IsTransient: true } or StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException => true,
        _ => IsOutage(exception.InnerException),
    };

    /// <summary>Unhandled exceptions and bad requests become the problems above; status-code-only results too.</summary>
    public static WebApplication UseGatewayErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                // The homeserver failed, wherever no caller said it better.
                HttpRequestException => StatusCodes.Status502BadGateway,
                Polly.ExecutionRejectedException => StatusCodes.Status503ServiceUnavailable,
                _ when IsOutage(exception) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        return app;
    }
}
