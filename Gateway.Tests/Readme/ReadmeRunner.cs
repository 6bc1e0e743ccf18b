using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Readme;

/// <summary>
/// Runs a README script as a user at a terminal would, and checks that every command printed what its comments show.
/// </summary>
/// <remarks>
/// <para>Each command runs with <c>bash -c</c> exactly as written, but for what a user types in: the test's
/// substitutions (its ports, its webhook receiver, a real file) and the placeholders (<c>mt_…</c>, <c>lt_…</c>,
/// <c>2@…</c>) that earlier answers bound (<see cref="ShownJson"/>). The variables the page assigned so far
/// (<c>CLIENT_ID=…</c>, <c>TOKEN=…</c>) are assigned again before it, as the user's shell holds them. It runs in a
/// folder of its own with the <c>.env</c> that <c>make run</c> writes, with its standard input open as a terminal's.</para>
/// <para>Every curl must answer 2xx (the page shows successes): a curl config beside the folder, as a user's
/// <c>~/.curlrc</c> would, has curl write each status to its error stream, leaving its output as the user sees it.</para>
/// <para>A command still running when the next command needs a value it printed is left running, as a socket is left
/// open in its own terminal while the user goes on in another: once that next command is done, it must print the rest
/// of what its comments show and end.</para>
/// </remarks>
public sealed partial class ReadmeRunner : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("gateway-readme-");
    private readonly Dictionary<string, string> bindings = [];
    private readonly List<string> assignments = [];
    private readonly StringBuilder transcript = new();
    private readonly Lock gate = new();
    private readonly List<RunningCommand> started = [];

    private ReadmeRunner(string clientId, string clientSecret)
    {
        // What scripts/env.sh writes on a first `make run`; the quick start reads it with grep and cut.
        File.WriteAllText(Path.Combine(folder.FullName, ".env"), $"CLIENT_ID={clientId}\nCLIENT_SECRET={clientSecret}\n");
        var curlHome = Directory.CreateDirectory(Path.Combine(folder.FullName, ".curl-home"));
        File.WriteAllText(Path.Combine(curlHome.FullName, ".curlrc"),
            "silent\nshow-error\nwrite-out = \"%{stderr}curl: HTTP %{http_code}\\n\"\n");
    }

    public static ReadmeRunner For(string clientId, string clientSecret) => new(clientId, clientSecret);

    /// <summary>The values earlier answers bound, by placeholder.</summary>
    public IReadOnlyDictionary<string, string> Bindings
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, string>(bindings);
            }
        }
    }

    /// <summary>Puts a file in the user's folder (for a command that sends one) and returns its path.</summary>
    public string AddFile(string name, byte[] content)
    {
        var path = Path.Combine(folder.FullName, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <param name="substitutions">What the user types instead of the page's text (<c>localhost:8080</c> → the test's port).</param>
    public async Task RunAsync(IReadOnlyList<ReadmeCommand> script, IReadOnlyDictionary<string, string> substitutions)
    {
        Assert.True(script.Count > 0, "No command to run: is any block of README.md marked with this name?");
        string Substitute(string text) => substitutions.Aggregate(text, (t, s) => t.Replace(s.Key, s.Value));
        var leftRunning = new List<(RunningCommand Run, int Until)>();
        try
        {
            for (var i = 0; i < script.Count; i++)
            {
                var command = script[i];
                var text = Substitute(command.Text);
                lock (gate)
                {
                    text = bindings.OrderByDescending(b => b.Key.Length).Aggregate(text, (t, b) => t.Replace(b.Key, b.Value));
                }
                if (ShownJson.PlaceholdersIn(text) is { Count: > 0 } unbound)
                {
                    Fail(command, $"it needs {string.Join(", ", unbound)}, which no answer above it showed");
                }
                var run = Start(command, text, [.. command.Shown.Select(Substitute)]);
                var next = i + 1 < script.Count ? Substitute(script[i + 1].Text) : null;
                var deadline = DateTime.UtcNow + CommandTimeout;
                while (!run.Ended.IsCompleted && !(next is not null && NeedsWhatItPrinted(next, run)))
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        run.Stop();
                        Fail(command, $"it ran longer than {CommandTimeout.TotalSeconds:0} s", run);
                    }
                    await Task.WhenAny(run.Ended, Task.Delay(50));
                }
                if (!run.Ended.IsCompleted)
                {
                    await Task.WhenAny(run.Ended, Task.Delay(TimeSpan.FromSeconds(1))); // a curl that printed its answer is ending
                }
                if (run.Ended.IsCompleted)
                {
                    Check(run);
                }
                else
                {
                    run.LeftRunning = true;
                    leftRunning.Add((run, i + 1));
                }
                foreach (var (background, _) in leftRunning.Where(r => r.Until == i).ToList())
                {
                    await EndAsync(background);
                    leftRunning.RemoveAll(r => r.Run == background);
                }
                if (Assignment().IsMatch(text))
                {
                    assignments.Add(text);
                }
            }
            foreach (var (background, _) in leftRunning.ToList())
            {
                await EndAsync(background);
                leftRunning.RemoveAll(r => r.Run == background);
            }
        }
        finally
        {
            foreach (var (background, _) in leftRunning)
            {
                background.Stop();
            }
        }
    }

    private bool NeedsWhatItPrinted(string next, RunningCommand run)
    {
        lock (gate)
        {
            var needed = ShownJson.PlaceholdersIn(next);
            return needed.Any(run.Bound.Contains) && needed.All(bindings.ContainsKey);
        }
    }

    private async Task EndAsync(RunningCommand run)
    {
        await Task.WhenAny(run.Ended, Task.Delay(CommandTimeout));
        if (!run.Ended.IsCompleted)
        {
            run.Stop();
            Fail(run.Command, $"left running, it had not ended {CommandTimeout.TotalSeconds:0} s after the command that used its output", run);
        }
        Check(run);
    }

    private void Check(RunningCommand run)
    {
        var described = run.Describe();
        lock (gate)
        {
            transcript.Append(described);
        }
        if (run.Matched < run.Shown.Count)
        {
            Fail(run.Command, $"its comments show {run.ShownText[run.Matched]}, and it printed nothing like it"
                + (run.LastMismatch is null ? "" : $" ({run.LastMismatch})"), run);
        }
        if (run.ExitCode != 0)
        {
            Fail(run.Command, $"it exited with {run.ExitCode}", run);
        }
        var refused = run.Statuses.Where(s => s is < 200 or > 299).ToList();
        if (refused.Count > 0)
        {
            Fail(run.Command, $"curl got HTTP {string.Join(", ", refused)}", run);
        }
    }

    private RunningCommand Start(ReadmeCommand command, string text, IReadOnlyList<string> shown)
    {
        var expected = shown.Select(ShownJson.Parse).ToList(); // a page that is not JSON where it says so fails before anything runs
        var start = new ProcessStartInfo("bash", ["-c", string.Join('\n', [.. assignments, text])])
        {
            WorkingDirectory = folder.FullName,
            RedirectStandardInput = true, // held open and never written: a terminal's, for clients that end at its end
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CURL_HOME"] = Path.Combine(folder.FullName, ".curl-home");
        var run = new RunningCommand(this, command, text, shown, expected, Process.Start(start)!);
        started.Add(run);
        return run;
    }

    private void Bind(IReadOnlyDictionary<string, string> answer)
    {
        foreach (var (placeholder, value) in answer)
        {
            bindings[placeholder] = value; // a later answer is what the user would now copy
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(ReadmeCommand command, string why, RunningCommand? run = null)
    {
        string before;
        lock (gate)
        {
            before = transcript.ToString();
        }
        throw new Xunit.Sdk.XunitException($"{command}\n  fails as the README shows it: {why}\n{run?.Describe()}\n"
            + $"The commands before it:\n{before}");
    }

    public void Dispose()
    {
        foreach (var run in started)
        {
            run.Dispose();
        }
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A process we stopped may still hold a file; the temp folder is cleaned by the OS eventually.
        }
    }

    /// <summary>A command in its own bash: what it printed, and how far that matched what its comments show.</summary>
    private sealed class RunningCommand : IDisposable
    {
        private readonly ReadmeRunner runner;
        private readonly Process process;
        private readonly StringBuilder output = new();
        private readonly StringBuilder errors = new();
        private readonly StringBuilder pending = new(); // a JSON value printed over several lines, so far

        public RunningCommand(ReadmeRunner runner, ReadmeCommand command, string text, IReadOnlyList<string> shownText,
            IReadOnlyList<JsonNode> shown, Process process)
        {
            this.runner = runner;
            this.process = process;
            Command = command;
            Text = text;
            ShownText = shownText;
            Shown = shown;
            var reading = ReadOutputAsync();
            var readingErrors = ReadErrorsAsync();
            Ended = Task.WhenAll(reading, readingErrors, process.WaitForExitAsync());
        }

        public ReadmeCommand Command { get; }
        public string Text { get; }
        public IReadOnlyList<string> ShownText { get; }
        public IReadOnlyList<JsonNode> Shown { get; }
        public Task Ended { get; }
        public bool LeftRunning { get; set; }
        public int Matched { get; private set; }
        public string? LastMismatch { get; private set; }
        public HashSet<string> Bound { get; } = [];
        public int ExitCode => process.ExitCode;

        public IReadOnlyList<int> Statuses
        {
            get
            {
                lock (runner.gate)
                {
                    return [.. CurlStatus().Matches(errors.ToString()).Select(m => int.Parse(m.Groups[1].Value))];
                }
            }
        }

        public void Stop()
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // it ended meanwhile
            }
        }

        public void Dispose()
        {
            Stop();
            process.Dispose();
        }

        public string Describe()
        {
            lock (runner.gate)
            {
                var status = (LeftRunning ? "left running while the next command ran, then " : "")
                    + (process.HasExited ? $"exit code {process.ExitCode}" : "still running");
                return $"$ {Text}\n  [{status}] printed:\n{Indent(output.ToString())}\n  error stream:\n{Indent(errors.ToString())}\n";
            }
        }

        private static string Indent(string text) => string.Join('\n', text.TrimEnd().Split('\n').Select(l => "    " + l));

        private async Task ReadOutputAsync()
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (runner.gate)
                {
                    output.AppendLine(line);
                    Printed(line);
                }
            }
            lock (runner.gate)
            {
                if (pending.Length > 0)
                {
                    LastMismatch = $"it printed {pending.ToString().Trim()}, which is not JSON";
                }
            }
            process.StandardInput.Close(); // its output is over: the terminal may go
        }

        private async Task ReadErrorsAsync()
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (runner.gate)
                {
                    errors.AppendLine(line);
                }
            }
        }

        private void Printed(string line)
        {
            pending.AppendLine(line);
            var text = pending.ToString().Trim();
            if (text.Length == 0 || text[0] is not ('{' or '['))
            {
                pending.Clear(); // not an answer: a client's own words
                return;
            }
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                return; // it may go on on the next line
            }
            pending.Clear();
            if (Matched == Shown.Count)
            {
                return;
            }
            var answer = new Dictionary<string, string>();
            LastMismatch = ShownJson.Mismatch(Shown[Matched], value, answer);
            if (LastMismatch is null)
            {
                Matched++;
                Bound.UnionWith(answer.Keys);
                runner.Bind(answer);
            }
        }
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^curl: HTTP (\d{3})\r?$", RegexOptions.Multiline)]
    private static partial Regex CurlStatus();
}
