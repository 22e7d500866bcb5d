using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Simulator;
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
        if (path == "native")
        {
            // Codex asks for encrypted reasoning and sends it back; the gateway tagged it on the way out and the
            // upstream that made it gets its own bytes back.
            var reasoning = last["input"]!.AsArray().Where(i => i!["type"]?.GetValue<string>() == "reasoning").ToList();
            Assert.NotEmpty(reasoning);
            Assert.All(reasoning, r => Assert.StartsWith(
                "simulated-reasoning:", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(r!["encrypted_content"]!.GetValue<string>())), StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// On the translated path the chat upstream calls <c>multi_agent_v1__close_agent</c> (Codex's namespace tool, flat):
    /// Codex gets it back as <c>close_agent</c> in namespace <c>multi_agent_v1</c> and runs its own handler, which rejects
    /// the made-up agent id (a call Codex could not route would come back as an unsupported call instead).
    /// </summary>
    [Fact]
    public async Task Codex_runs_a_namespaced_tool_called_by_a_chat_upstream()
    {
        await using var host = await ProviderKindHost.StartAsync("openai");
        host.Simulator.State.SetScript(new ScriptSpec
        {
            ToolCalls = [new("multi_agent_v1__close_agent", JsonSerializer.SerializeToElement(new { target = "mg-no-such-agent" }))],
            Answer = AgentScript.Answer,
        });

        var run = await CodexCli.RunAsync(host.Gateway.BaseUrl + "/v1", TestConfig.ClientKey, "m", "Close the agent, then report.");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(AgentScript.Answer, run.Stdout, StringComparison.Ordinal);
        var messages = JsonNode.Parse(host.Simulator.State.Received[^1].Body)!["messages"]!.AsArray();
        var call = messages.Single(m => m!["tool_calls"] is not null)!["tool_calls"]![0]!["function"]!;
        Assert.Equal("multi_agent_v1__close_agent", call["name"]!.GetValue<string>());
        var toolOutput = messages.Single(m => m!["role"]!.GetValue<string>() == "tool")!["content"]!.ToString();
        Assert.Contains("invalid agent id mg-no-such-agent", toolOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("unsupported", toolOutput, StringComparison.OrdinalIgnoreCase);
    }
}
