using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Infrastructure;

/// <summary>What a client of the API sees: a status and a JSON body.</summary>
public sealed record ApiResponse(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Raw)
{
    public string? Error => Body?["error"]?.GetValue<string>();
    public string? MediaType => Raw.Content.Headers.ContentType?.MediaType;
}

public static class HttpClientExtensions
{
    public static Task<ApiResponse> CallAsync(this HttpClient http, HttpMethod method, string path,
        AuthenticationHeaderValue? auth = null, object? json = null) =>
        http.CallRawAsync(method, path, auth, json is null ? null : JsonSerializer.Serialize(json));

    /// <summary>Sends <paramref name="body"/> as-is with a JSON content type (for malformed bodies).</summary>
    public static async Task<ApiResponse> CallRawAsync(this HttpClient http, HttpMethod method, string path,
        AuthenticationHeaderValue? auth, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = auth;
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            // As curl does for a large body: wait for the server's go-ahead, so a refusal before reading (413) is
            // answered instead of the connection closing under a body still being sent.
            request.Headers.ExpectContinue = body.Length > 1024 * 1024;
        }
        return await SendAsync(http, request);
    }

    /// <summary>Sends <paramref name="form"/> as multipart/form-data, as <c>curl -F</c> does.</summary>
    public static async Task<ApiResponse> CallFormAsync(this HttpClient http, HttpMethod method, string path,
        AuthenticationHeaderValue? auth, MultipartFormDataContent form)
    {
        using var request = new HttpRequestMessage(method, path) { Content = form };
        request.Headers.Authorization = auth;
        return await SendAsync(http, request);
    }

    public static async Task<ApiResponse> CallWithHeaderAsync(this HttpClient http, HttpMethod method, string path, string authorizationHeader)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Authorization", authorizationHeader);
        return await SendAsync(http, request);
    }

    private static async Task<ApiResponse> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }
}
