namespace Gateway.SyncWorker.Incoming;

/// <summary>What one incoming message may cost the worker (docs/api.md#limits).</summary>
public sealed class IncomingOptions
{
    public const string Section = "Incoming";

    /// <summary>Larger files are not downloaded: their message arrives with <c>content</c> null and the event's <c>info</c>.</summary>
    public long MaxMediaBytes { get; set; } = 25L * 1024 * 1024;
    /// <summary>Larger images get no BlurHash (their size still comes from the file's header).</summary>
    public long MaxImagePixels { get; set; } = 40_000_000;
    /// <summary>How often a message is tried (with its batch) before it goes without its file, or is recorded as failed.</summary>
    public int MaxTries { get; set; } = 5;
}
