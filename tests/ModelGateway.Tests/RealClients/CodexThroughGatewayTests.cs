using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Providers;

namespace ModelGateway.Tests.RealClients;

/// <summary>
/// Codex CLI (<c>codex exec</c>) with its base URL pointed at the gateway, once per path: translated (the Responses
/// requests go to an OpenAI-compatible chat deployment) and native (a deployment with the <c>responses</c>
/// capability). The simulator's script makes the model call <c>exec_command</c>; Codex runs it, sends the output
/// back, and prints the scripted answer.
/// </summary>
[Trait("Category", "RealClients")]
public sealed class CodexThroughGatewayTests
{
    [Theory]
    [InlineData("translated")]
    [InlineData("native")]
    public async Task Codex_exec_runs_the_scripted_tool_through_the_gateway_and_prints_the_answer(string path)
    {
        await using var host = await ProviderKindHost.StartAsync("openai", config =>
        {
            if (path == "native")
            {
                config["Deployments"]!["native-m"]!["Capabilities"]!.AsArray().Add("responses");
            }
        });
        host.Simulator.State.SetScript(AgentScript.Spec);

        var run = await CodexCli.RunAsync(host.Gateway.BaseUrl + "/v1", TestConfig.ClientKey, "m", "Run the test marker command, then report.");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(AgentScript.Answer, run.Stdout, StringComparison.Ordinal);
        var requests = host.Simulator.State.Received;
        Assert.True(requests.Count >= 2, $"{requests.Count} requests: {run}");
        Assert.All(requests, r => Assert.Equal(path == "native" ? "/v1/responses" : "/v1/chat/completions", r.Path));
        var last = JsonNode.Parse(requests[^1].Body)!;
        var toolOutput = path == "native"
            ? last["input"]!.AsArray().Single(i => i!["type"]?.GetValue<string>() == "function_call_output")!["output"]!.ToString()
            : last["messages"]!.AsArray().Single(m => m!["role"]!.GetValue<string>() == "tool")!["content"]!.ToString();
        Assert.Contains(AgentScript.ToolOutput, toolOutput, StringComparison.Ordinal);
    }
}
