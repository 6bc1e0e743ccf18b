using System.Security.Claims;
using Gateway.Api.Auth;
using Gateway.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Features.Devices;

public sealed record DeviceView(string Platform, string DeviceId);

public static class DevicesApi
{
    public static RouteGroupBuilder MapDevicesApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/devices").WithTags("Devices").RequireMatrixToken();
        api.MapGet("/", ListDevices)
            .WithSummary("List linked devices")
            .WithDescription("The devices linked to the token's Matrix identity: a use_host token sees the host's devices.");
        return api;
    }

    private static async Task<Ok<List<DeviceView>>> ListDevices(ClaimsPrincipal user, GatewayDb db, CancellationToken cancellationToken)
    {
        var identityId = user.MatrixIdentityId();
        var devices = await db.Devices.AsNoTracking()
            .Where(d => d.IdentityId == identityId)
            .OrderBy(d => d.Id)
            .Select(d => new DeviceView(d.Platform, d.DeviceId))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(devices);
    }
}
