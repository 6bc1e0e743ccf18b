using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Foundation;

[Collection(FoundationCollection.Name)]
public sealed class TelemetryTests(FoundationApp app)
{
    [Fact]
    public async Task Tokens_and_secrets_never_reach_exported_traces_or_logs()
    {
        var (_, token) = await app.CreateTokenAsync(app.SuperAdmin);

        // The QR socket takes its token in the query string: a browser cannot set headers on a WebSocket.
        using var queryToken = await app.Api.GetAsync($"/api/v1/devices/qr-code?token={token}");
        await app.Api.CallAsync(HttpMethod.Get, "/api/v1/devices?platform=wa", Auth.Bearer(token));
        // The link page's ticket sits in the path, where query-string redaction does not reach.
        var ticket = "lt_" + Guid.NewGuid().ToString("N");
        using var linkPage = await app.Api.GetAsync($"/link/{ticket}");
        using var linkImage = await app.Api.GetAsync($"/link/{ticket}/qr.png?code=x");
        await app.Api.CallAsync(HttpMethod.Get, "/api/v1/tokens", Auth.Basic(app.ClientId, app.ClientSecret));

        var marker = $"/telemetry-marker-{Guid.NewGuid():N}";
        using var last = await app.Api.GetAsync(marker);

        var telemetry = app.Telemetry!;
        await telemetry.WaitForEverythingBeforeAsync(marker);
        Assert.False(telemetry.Contains(token["mt_".Length..]), "a Matrix token was exported");
        Assert.False(telemetry.Contains(app.ClientSecret), "a client secret was exported");
        Assert.False(telemetry.Contains(ticket["lt_".Length..]), "a link ticket was exported");
        Assert.True(telemetry.Contains("/link/{ticket}/qr.png"), "the link page's requests were not exported at all");
        Assert.True(telemetry.Contains("token=Redacted"), "the query string was not exported at all, so this test checked nothing");
    }
}
