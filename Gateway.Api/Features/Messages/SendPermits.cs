using Gateway.Api.Bridges;
using Gateway.Api.Errors;
using Gateway.Shared.Bridges;
using Gateway.Shared.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Features.Messages;

/// <summary>
/// Whether a device may put something on the network now, asked by every send and every action on a message: it is
/// the identity's on that platform, linked, and within its send rate (<see cref="SendRateLimiter"/>).
/// </summary>
public sealed class SendPermits(LinkedDevices devices, SendRateLimiter rateLimiter, IOptions<BridgeOptions> bridges)
{
    /// <summary>The problem to answer instead (404, 409 or 429 with its Retry-After), or null when the device may send <paramref name="messages"/>.</summary>
    public async Task<ProblemHttpResult?> RefusalAsync(int identityId, string platform, string deviceId, int messages, HttpResponse response,
        CancellationToken cancellationToken)
    {
        var status = bridges.Value.All().TryGetValue(platform, out var bridge)
            ? await devices.StatusAsync(identityId, platform, deviceId, cancellationToken)
            : null; // a platform no longer configured has no devices to send from
        switch (status)
        {
            case null:
                return ApiProblems.NotFound("Device not found");
            case DeviceStatus.LoggedOut:
                return ApiProblems.Problem(StatusCodes.Status409Conflict, $"Device {deviceId} is logged out of {bridge!.NetworkName}: link it again");
        }
        var wait = await rateLimiter.TryTakeAsync(identityId, platform, deviceId, messages);
        if (wait <= TimeSpan.Zero)
        {
            return null;
        }
        response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString();
        return ApiProblems.Problem(StatusCodes.Status429TooManyRequests, "Too many messages from this device. Retry later.");
    }
}
