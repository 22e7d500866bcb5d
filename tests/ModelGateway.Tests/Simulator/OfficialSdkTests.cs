using System.Diagnostics;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Simulator;

/// <summary>
/// The providers' official SDKs (npm <c>@anthropic-ai/sdk</c>, <c>@google/genai</c>, <c>openai</c>) drive the simulator's native
/// endpoints through the scripts in tests/sdk-check, so a simulator that drifts from the real protocols fails here.
/// </summary>
public sealed class OfficialSdkTests
{
    private const string Key = "sk-sdk-check";
    private static readonly SemaphoreSlim Install = new(1, 1);

    [Theory]
    [InlineData("anthropic.mjs")]
    [InlineData("gemini.mjs")]
    [InlineData("openai-responses.mjs")]
    [InlineData("openai-completions.mjs")]
    public async Task Official_sdk_script_passes_against_the_simulator(string script)
    {
        var directory = SdkCheckDirectory();
        await EnsureInstalledAsync(directory);
        await using var simulator = await SimulatorHost.StartAsync(o =>
        {
            o.Name = "sim";
            o.RequiredApiKey = Key;
        });

        var (exitCode, output) = await RunAsync("node", script, directory, ("SIM_URL", simulator.BaseUrl), ("SIM_KEY", Key));

        Assert.True(exitCode == 0, $"node {script} failed ({exitCode}):\n{output}");
        Assert.Contains("sdk check passed", output, StringComparison.Ordinal);
    }

    internal static async Task EnsureInstalledAsync(string directory)
    {
        await Install.WaitAsync();
        try
        {
            var marker = Path.Combine(directory, "node_modules", ".package-lock.json");
            if (File.Exists(marker) && File.GetLastWriteTimeUtc(marker) >= File.GetLastWriteTimeUtc(Path.Combine(directory, "package-lock.json")))
            {
                return;
            }

            var (exitCode, output) = await RunAsync("npm", "ci --no-audit --no-fund", directory);
            Assert.True(exitCode == 0, $"npm ci failed ({exitCode}):\n{output}");
        }
        finally
        {
            Install.Release();
        }
    }

    internal static string SdkCheckDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "sdk-check");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tests/sdk-check not found above " + AppContext.BaseDirectory);
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string command, string arguments, string directory, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(command, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The SDKs also read ANTHROPIC_* and GOOGLE_*/GEMINI_* variables (keys, base URLs, tokens): only the test's own apply.
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("ANTHROPIC_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("GOOGLE_", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("GEMINI_", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
