using System.Diagnostics;

namespace Gateway.Tests.Infrastructure;

/// <summary>Tools a user runs by hand (npx, dotnet kiota, dotnet run), run the same way and read by their output.</summary>
public static class CommandLine
{
    /// <summary>What a run printed: standard output, and its error stream apart (tools log progress there).</summary>
    public sealed record Result(int ExitCode, string Output, string Errors)
    {
        public override string ToString() => $"exit code {ExitCode}\n{Output}\n{Errors}";
    }

    /// <summary>The repository's root, where dotnet-tools.json pins the dotnet tools.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Runs to the end (killed after <paramref name="timeout"/>).</summary>
    public static async Task<Result> RunAsync(string command, IEnumerable<string> args, string? workingDirectory = null,
        TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(command, args)
        {
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} {string.Join(' ', args)} ran longer than {timeout}: {await output}{await errors}");
        }
        return new Result(process.ExitCode, await output, await errors);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "dotnet-tools.json")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("No dotnet-tools.json above " + AppContext.BaseDirectory);
    }
}
