using System.Net.Http.Headers;
using System.Text;

namespace Gateway.Tests.Infrastructure;

public static class Auth
{
    public static AuthenticationHeaderValue Basic(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
