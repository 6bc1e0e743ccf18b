using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Shared.Matrix;

/// <summary>The homeserver answered with an error (its <c>errcode</c> and message are in <see cref="Exception.Message"/>).</summary>
public sealed class MatrixException(HttpStatusCode status, string body) : Exception($"Matrix error {(int)status}: {Truncate(body)}")
{
    public HttpStatusCode Status { get; } = status;

    public string? ErrorCode { get; } = TryErrorCode(body);

    /// <summary>The access token was revoked or the user deactivated: retrying will not help.</summary>
    public bool TokenRejected => Status == HttpStatusCode.Unauthorized;

    private static string Truncate(string body) => body.Length > 300 ? body[..300] : body;

    private static string? TryErrorCode(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["errcode"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
