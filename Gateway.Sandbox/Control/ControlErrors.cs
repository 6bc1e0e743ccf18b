using Gateway.Sandbox.Matrix;
using Microsoft.AspNetCore.Diagnostics;

namespace Gateway.Sandbox.Control;

public static class ControlErrors
{
    /// <summary>
    /// Failures become <c>{"error": …}</c> like every other control API answer. The sandbox is a loopback test tool,
    /// so the reason is spelled out: a test that broke it should read why.
    /// </summary>
    public static WebApplication UseControlErrors(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            context.Response.StatusCode = error is MatrixException ? StatusCodes.Status502BadGateway : StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new ControlError(error is MatrixException
                ? $"The homeserver refused: {error.Message}"
                : $"The sandbox failed: {error?.Message}"));
        }));
        return app;
    }
}
