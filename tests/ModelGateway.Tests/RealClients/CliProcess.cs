using System.Diagnostics;

namespace ModelGateway.Tests.RealClients;

/// <summary>
/// Runs a client binary non-interactively: stdin closed, only the given variables of the provider families it
/// reads (so a developer's own keys and base URLs never leak in), a timeout that kills the whole process tree.
/// </summary>
internal static class CliProcess
{
    private static readonly string[] ClientVariablePrefixes = ["ANTHROPIC_", "CLAUDE_", "OPENAI_", "CODEX_"];

    public static async Task<CliRun> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.ToList())
        {
            if (ClientVariablePrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                start.Environment.Remove(name);
            }
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.StandardInput.Close(); // Codex reads a prompt addition from a piped stdin until it closes.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new CliRun(-1, await stdout, $"timed out after {timeout.TotalSeconds:0} s\n" + await stderr, stopwatch.Elapsed);
        }

        return new CliRun(process.ExitCode, await stdout, await stderr, stopwatch.Elapsed);
    }
}
