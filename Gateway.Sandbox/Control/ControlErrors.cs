using Gateway.Sandbox.Matrix;
using Microsoft.AspNetCore.Diagnostics;

namespace Gateway.Sandbox.Control;

public static class ControlErrors
{
    /// <summary>
    /// Failures become <c>{"error": …}</c> like every other control API answer. The sandbox is a loopback test tool,
    /// so the reason is spelled out: a test that broke it should read why. When the homeserver cannot keep up (it
    /// throttles, times out or its circuit is open), the answer is 503 with <c>Retry-After</c>: the caller went too
    /// fast, and may try again; nothing was half-done that a retry would repeat, since nothing was sent.
    /// </summary>
    public static WebApplication UseControlErrors(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, text) = error switch
            {
                _ when IsOverload(error, context) => (StatusCodes.Status503ServiceUnavailable, $"The sandbox is overloaded, retry later: {error!.Message}"),
                MatrixException => (StatusCodes.Status502BadGateway, $"The homeserver refused: {error.Message}"),
                _ => (StatusCodes.Status500InternalServerError, $"The sandbox failed: {error?.Message}"),
            };
            context.Response.StatusCode = status;
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                context.Response.Headers.RetryAfter = "1";
            }
            await context.Response.WriteAsJsonAsync(new ControlError(text));
        }));
        return app;
    }

    private static bool IsOverload(Exception? error, HttpContext context) =>
        HomeserverOutage.Is(error) || error is OperationCanceledException && !context.RequestAborted.IsCancellationRequested;
}
