using Gateway.Api.Matrix;
using Gateway.Shared.Bridges;
using Gateway.Shared.Matrix;
using StackExchange.Redis;

namespace Gateway.Api.Bridges;

/// <summary>Logs a bridge out of a phone, and says whether the bridge confirmed it.</summary>
public sealed class BridgeLogouts(BridgeCommands commands, ILogger<BridgeLogouts> logger)
{
    /// <summary>Null once the bridge has no login of the phone for this identity any more; else why it could not be told.</summary>
    public async Task<string?> LogOutAsync(MatrixSession session, BridgePlatform platform, string deviceId, CancellationToken cancellationToken)
    {
        try
        {
            await using var bot = await commands.OpenExistingAsync(session, platform, cancellationToken);
            if (bot is null)
            {
                return null; // no management room: the bridge never linked anything for this identity
            }
            return (await bot.LogoutAsync(deviceId, cancellationToken)).Error;
        }
        catch (Exception e) when (e is MatrixException or HttpRequestException or BridgeUnavailableException or RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Could not send logout for device {DeviceId} to the {Platform} bridge", deviceId, platform.Key);
            return e switch
            {
                BridgeUnavailableException => e.Message,
                RedisException or TimeoutException => "The gateway could not wait for the bridge's answer",
                _ => "The homeserver did not take the command",
            };
        }
    }
}
