namespace Gateway.Api.Matrix;

public sealed class MatrixOptions
{
    public const string Section = "Matrix";

    /// <summary>The homeserver's client-server API, e.g. <c>http://127.0.0.1:8008</c>.</summary>
    public required Uri HomeserverUrl { get; set; }

    /// <summary>Synapse's <c>registration_shared_secret</c>, for admin registration of the gateway's users.</summary>
    public string? RegistrationSharedSecret { get; set; }
}
