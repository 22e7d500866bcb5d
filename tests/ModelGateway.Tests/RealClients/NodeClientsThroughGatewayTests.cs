using System.Diagnostics;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Providers;

namespace ModelGateway.Tests.RealClients;

/// <summary>
/// The official Node <c>openai</c> SDK (tests/clients/gateway-responses.mjs) and the OpenAI Agents SDK
/// (tests/clients/agents-check.mjs) against the gateway's Responses API, on the translated and the native path.
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
}
