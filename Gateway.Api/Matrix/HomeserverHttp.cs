using Microsoft.Extensions.Http.Resilience;

namespace Gateway.Api.Matrix;

public static class HomeserverHttp
{
    /// <summary>
    /// The standard resilience handler, retrying only calls that are safe to repeat. It would retry every method, and a
    /// repeated POST is not safe here: a second admin <c>register</c> spends a used nonce after the user may already
    /// exist, a second <c>createRoom</c> makes a second room, a second upload a second file. PUTs carry transaction ids
    /// (the homeserver de-duplicates them) and GETs only read, so they keep their retries.
    /// </summary>
    public static IHttpClientBuilder RetryingOnlyRepeatableCalls(this IHttpClientBuilder http)
    {
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is experimental, but the documented way to replace the defaults' handler
        http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        http.AddStandardResilienceHandler(options => options.Retry.DisableFor(HttpMethod.Post));
        return http;
    }
}
