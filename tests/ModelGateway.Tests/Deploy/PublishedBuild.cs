using System.Diagnostics;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Deploy;

/// <summary>
/// Runs deploy/docker/build.sh, the build step of the container images, once per test run into a temporary directory,
/// so the deploy tests run exactly what an image would ship.
/// </summary>
public static class PublishedBuild
{
    private static readonly Lazy<Task<string>> Gateway = new(() => PublishAsync("gateway"));
    private static readonly Lazy<Task<string>> Simulator = new(() => PublishAsync("simulator"));

    /// <summary>The directory holding the published ModelGateway.dll.</summary>
    public static Task<string> GatewayAsync() => Gateway.Value;

    /// <summary>The directory holding the published ModelGateway.Simulator.dll.</summary>
    public static Task<string> SimulatorAsync() => Simulator.Value;

    public static async Task<string> PublishAsync(string target)
    {
        var output = Path.Combine(Path.GetTempPath(), $"mg-publish-{target}-{Guid.NewGuid():N}");
        var (exitCode, log) = await RunAsync("bash", [RepositoryFiles.PathOf("deploy", "docker", "build.sh"), target, output], TimeSpan.FromMinutes(5));
        Assert.True(exitCode == 0, $"deploy/docker/build.sh {target} failed ({exitCode}):\n{log}");
        return output;
    }

    public static Task<(int ExitCode, string Output)> RunAsync(string command, IEnumerable<string> arguments, TimeSpan timeout) =>
        RunAsync(command, arguments, timeout, separateError: false);

    /// <summary>Runs a command from the repository root; with <paramref name="separateError"/>, standard error is left out of the output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string command, IEnumerable<string> arguments, TimeSpan timeout, bool separateError,
        params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryFiles.Root };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
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
            throw;
        }

        var error = await stderr;
        return (process.ExitCode, separateError ? await stdout + (process.ExitCode == 0 ? "" : error) : await stdout + error);
    }
}
