using System.Diagnostics;

namespace Gateway.Api.Matrix;

/// <summary>
/// Adds each homeserver call's time, retries and reading the answer included, to the current request's
/// <see cref="UpstreamTime"/>. It also turns the resilience handler's refusals (its timeout, its open circuit) into the
/// <see cref="HttpRequestException"/> every caller already handles as "the homeserver did not answer".
/// </summary>
public sealed class HomeserverTimingHandler(IHttpContextAccessor context) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            try
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken); // reading the answer is waiting on the homeserver too
                return response;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
        catch (Polly.ExecutionRejectedException e)
        {
            throw new HttpRequestException("The homeserver did not answer.", e);
        }
        finally
        {
            context.HttpContext?.RequestServices.GetService<UpstreamTime>()?.AddHomeserver(Stopwatch.GetElapsedTime(started));
        }
    }
}
