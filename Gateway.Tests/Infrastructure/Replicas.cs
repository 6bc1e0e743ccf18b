using System.Diagnostics;

namespace Gateway.Tests.Infrastructure;

/// <summary>One running process of a resource started with replicas, reachable on its own address (not the proxy's).</summary>
public sealed record Replica(string Resource, string Id, int ProcessId, Uri Address)
{
    /// <summary>An HTTP client talking to this replica alone.</summary>
    public HttpClient Client() => new() { BaseAddress = Address };

    /// <summary>Whether <paramref name="processId"/> is this replica's process or one it started (<c>dotnet run</c> starts the app as its child).</summary>
    public bool Runs(int processId)
    {
        for (var pid = processId; pid > 1; pid = ParentOf(pid))
        {
            if (pid == ProcessId)
            {
                return true;
            }
        }
        return false;
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat"); // pid (comm) state ppid …: comm may hold spaces
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return 0; // gone
        }
    }

    /// <summary>kill -9 of the replica's process: no chance to finish or hand anything over.</summary>
    public async Task KillAsync()
    {
        using var process = Process.GetProcessById(ProcessId);
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }
}
