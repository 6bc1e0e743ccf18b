namespace Gateway.Api.Features;

/// <summary>The plain <c>{ "message": … }</c> answer that every feature's deletes give.</summary>
public sealed record MessageResponse(string Message);
