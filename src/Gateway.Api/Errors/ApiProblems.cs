using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Errors;

/// <summary>
/// Every error is problem+json that also carries the plain <c>error</c> member existing clients read.
/// </summary>
public static class ApiProblems
{
    public const string InvalidBody = "Invalid request body. Must be a JSON object.";
    public const string Internal = "Oops! something went wrong. Please try again later.";

    public static ProblemHttpResult Problem(int status, string error) =>
        TypedResults.Problem(new ProblemDetails { Status = status, Detail = error, Extensions = { ["error"] = error } });

    public static ProblemHttpResult BadRequest(string error) => Problem(StatusCodes.Status400BadRequest, error);
    public static ProblemHttpResult NotFound(string error) => Problem(StatusCodes.Status404NotFound, error);
    public static ProblemHttpResult Forbidden(string error) => Problem(StatusCodes.Status403Forbidden, error);
    public static ProblemHttpResult Conflict(string error) => Problem(StatusCodes.Status409Conflict, error);

    /// <summary>Fills in what the framework's own problems lack: the <c>error</c> member, and no internals on 5xx.</summary>
    public static IServiceCollection AddGatewayProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            if (context.Exception is BadHttpRequestException badRequest)
            {
                // Minimal APIs report unreadable JSON (and JSON that is not an object of the right shape) this way.
                problem.Status = badRequest.StatusCode;
                context.HttpContext.Response.StatusCode = badRequest.StatusCode;
                problem.Detail = badRequest.StatusCode == StatusCodes.Status400BadRequest ? InvalidBody : badRequest.Message;
            }
            else if (problem.Status >= 500)
            {
                problem.Detail = Internal;
                problem.Extensions.Remove("exception");
            }
            problem.Detail ??= problem.Title;
            problem.Extensions["error"] = problem.Detail;
            problem.Extensions.Remove("traceId");
            problem.Extensions["trace_id"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        });

    /// <summary>Unhandled exceptions and bad requests become the problems above; status-code-only results too.</summary>
    public static WebApplication UseGatewayErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }
}
