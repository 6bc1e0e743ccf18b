namespace Gateway.Shared.Matrix;

/// <summary>The homeserver the gateway's users live on. Section <c>Matrix</c>.</summary>
public sealed class MatrixOptions
{
    public const string Section = "Matrix";

    /// <summary>The homeserver's client-server API, e.g. <c>http://127.0.0.1:8008</c>.</summary>
    public Uri HomeserverUrl { get; set; } = null!; // checked at start

    /// <summary>Synapse's <c>registration_shared_secret</c>, for admin registration of the gateway's users (the Api only).</summary>
    public string? RegistrationSharedSecret { get; set; }
}
