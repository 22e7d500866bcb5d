using System.Diagnostics;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Simulator;

/// <summary>
/// Azure's official SDK (Azure.AI.OpenAI) drives the simulator's Azure endpoints: classic deployment URLs with
/// <c>api-version</c> and the <c>api-key</c> header. It runs in its own process (tests/AzureSdkCheck) because it
/// needs the OpenAI package version it was built against. A simulator that drifts from Azure's format fails here.
/// </summary>
public sealed class AzureSdkTests
{
    private const string Key = "azure-sim-key";

    [Fact]
    public async Task Azures_sdk_gets_chat_streams_embeddings_and_a_401_from_the_simulator()
    {
        await using var simulator = await SimulatorHost.StartAsync(options =>
        {
            options.Name = "azure";
            options.RequiredApiKey = Key;
        });

        var (exitCode, output) = await RunCheckAsync(simulator.BaseUrl, Key);

        Assert.True(exitCode == 0, output);
        Assert.Contains("ALL PASSED", output, StringComparison.Ordinal);
        var requests = simulator.State.Received;
        Assert.All(requests, r => Assert.StartsWith("/openai/deployments/", r.Path, StringComparison.Ordinal));
        Assert.All(requests, r => Assert.Contains("api-version=", r.Query, StringComparison.Ordinal));

        // Chat, streamed chat and embeddings with the right key; the wrong-key call carries another.
        Assert.Equal(
            ["/openai/deployments/gpt-4o-deployment/chat/completions", "/openai/deployments/gpt-4o-deployment/chat/completions", "/openai/deployments/embed-deployment/embeddings"],
            requests.Where(r => r.Headers.GetValueOrDefault("api-key") == Key).Select(r => r.Path));
    }

    private static async Task<(int ExitCode, string Output)> RunCheckAsync(string baseUrl, string key)
    {
        var checker = Path.Combine(RepositoryRoot(), "tests", "AzureSdkCheck", "bin", BuildConfiguration(), "net10.0", "AzureSdkCheck.dll");
        Assert.True(File.Exists(checker), $"{checker} is missing: build the solution first.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(checker);
        start.ArgumentList.Add(baseUrl);
        start.ArgumentList.Add(key);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string BuildConfiguration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ModelGateway.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ModelGateway.sln not found above the test directory.");
    }
}
