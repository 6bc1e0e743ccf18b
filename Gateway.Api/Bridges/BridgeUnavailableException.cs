namespace Gateway.Api.Bridges;

/// <summary>The bridge did not answer as it should: a 502 for the caller, nothing recorded.</summary>
public sealed class BridgeUnavailableException(string message) : Exception(message);
