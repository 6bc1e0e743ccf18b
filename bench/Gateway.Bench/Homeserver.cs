namespace Gateway.Bench;

/// <summary>
/// The homeserver's side of a measurement: Synapse's process, found by its command line (one system runs at a time),
/// and the /sync requests it answered, counted in its access log (written only when the bench asks for it).
/// </summary>
public sealed class Homeserver(string accessLog)
{
    public int? Pid()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid)
                && ProcessStats.CommandLine(pid) is var commandLine
                && commandLine.Contains("synapse.app.homeserver", StringComparison.Ordinal) && !commandLine.Contains("--generate-keys", StringComparison.Ordinal)
                && commandLine.StartsWith("python", StringComparison.Ordinal))
            {
                return pid;
            }
        }
        return null;
    }

    /// <summary>/sync requests answered so far (a long-poll is logged when it ends), or -1 without an access log.</summary>
    public long SyncRequests()
    {
        if (!File.Exists(accessLog))
        {
            return -1;
        }
        using var stream = new FileStream(accessLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        long count = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Contains("/_matrix/client/v3/sync", StringComparison.Ordinal))
            {
                count++;
            }
        }
        return count;
    }
}
