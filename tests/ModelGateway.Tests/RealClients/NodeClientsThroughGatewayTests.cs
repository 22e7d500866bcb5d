using System.Diagnostics;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Providers;

namespace ModelGateway.Tests.RealClients;

/// <summary>
/// The official Node <c>openai</c> SDK (tests/clients/gateway-responses.mjs) and the OpenAI Agents SDK
/// (tests/clients/agents-check.mjs) against the gateway's Responses API, on the translated and the native path;
/// and the same SDK's legacy completions (tests/clients/gateway-completions.mjs), which the .NET SDK lacks.
/// </summary>
[Trait("Category", "RealClients")]
public sealed class NodeClientsThroughGatewayTests
{
    [Theory]
    [InlineData("clients", "gateway-responses.mjs", "translated")]
    [InlineData("clients", "gateway-responses.mjs", "native")]
    [InlineData("clients", "agents-check.mjs", "translated")]
    [InlineData("clients", "agents-check.mjs", "native")]
    public async Task Node_client_script_passes_through_the_gateway(string folder, string script, string path)
    {
        if (folder == "clients")
        {
            await ClientsPackage.BinAsync("codex"); // installs tests/clients when missing
        }

        await using var host = await ProviderKindHost.StartAsync("openai", config =>
        {
            if (path == "native")
            {
                config["Deployments"]!["native-m"]!["Capabilities"]!.AsArray().Add("responses");
            }
        });

        var start = new ProcessStartInfo("node", script)
        {
            WorkingDirectory = Path.Combine(RepositoryFiles.Root, "tests", folder),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["GW_URL"] = host.Gateway.BaseUrl, ["GW_KEY"] = TestConfig.ClientKey, ["GW_MODEL"] = "m" },
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;

        Assert.True(process.ExitCode == 0, $"node {script} failed ({process.ExitCode}):\n{output}");
        Assert.Contains("check passed", output, StringComparison.Ordinal);
        Assert.All(host.Simulator.State.Received, r => Assert.Equal(path == "native" ? "/v1/responses" : "/v1/chat/completions", r.Path));
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("azure-openai")]
    [InlineData("azure-v1")]
    public async Task Node_sdk_legacy_completions_pass_through_the_gateway(string kind)
    {
        await ClientsPackage.BinAsync("codex"); // installs tests/clients when missing
        await using var host = await ProviderKindHost.StartAsync(kind, config =>
            config["Deployments"]!["native-m"]!["Capabilities"]!.AsArray().Add("completions"));

        var (exitCode, output) = await RunNodeAsync("gateway-completions.mjs", host);

        Assert.True(exitCode == 0, $"node gateway-completions.mjs failed ({exitCode}):\n{output}");
        Assert.Contains("check passed", output, StringComparison.Ordinal);
        Assert.Equal(5, host.Simulator.State.Received.Count);
        Assert.All(host.Simulator.State.Received, r => Assert.EndsWith("/completions", r.Path, StringComparison.Ordinal));
        Assert.All(host.Simulator.State.Received, r => Assert.DoesNotContain("/chat/", r.Path, StringComparison.Ordinal));
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(string script, ProviderKindHost host)
    {
        var start = new ProcessStartInfo("node", script)
        {
            WorkingDirectory = ClientsPackage.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["GW_URL"] = host.Gateway.BaseUrl, ["GW_KEY"] = TestConfig.ClientKey, ["GW_MODEL"] = "m" },
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
