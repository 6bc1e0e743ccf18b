using Gateway.Api.Errors;
using Gateway.Shared.Bridges;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Bridges;

/// <summary>The <c>platform</c> field of a request about a device (adding, unlinking, sending from it): one of the configured bridges.</summary>
public static class PlatformField
{
    /// <summary>The 400 to answer when the field is missing or names no configured bridge, else null.</summary>
    public static ProblemHttpResult? Validate(string? platform, BridgeOptions bridges) =>
        string.IsNullOrWhiteSpace(platform) ? ApiProblems.BadRequest("Missing required field: platform")
        : !bridges.All().ContainsKey(platform) ? ApiProblems.BadRequest($"Unsupported platform: {platform}")
        : null;
}
