using System.Diagnostics;
using System.Text.Json;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.RealClients;

namespace ModelGateway.Tests.FrontDoor.AnthropicMessages;

/// <summary>
/// Claude Code (npm <c>@anthropic-ai/claude-code</c>, print mode) with <c>ANTHROPIC_BASE_URL</c> pointing at the
/// gateway. The scripted model calls Claude Code's Bash tool, Claude Code runs it and sends the output back, the
/// model answers: once on an OpenAI-compatible deployment (translated both ways) and once passed through to an
/// Anthropic deployment. One run per scenario; each takes a few seconds.
/// </summary>
[Trait("Category", "RealClients")]
public sealed class ClaudeCodeThroughGatewayTests : MessagesGateway
{
    [Fact]
    public async Task Claude_code_runs_a_tool_on_an_openai_compatible_deployment_through_the_gateway()
    {
        Upstream.SetScript(AgentScript.Spec);
        var clock = Stopwatch.StartNew();

        var run = await ClaudeCodeCli.RunAsync(Gateway.BaseUrl, TestConfig.ClientKey, "Run the test marker command, then report.", model: TranslatedModel);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var result = JsonDocument.Parse(run.Stdout);
        Assert.Equal(AgentScript.Answer, result.RootElement.GetProperty("result").GetString());
        Assert.False(result.RootElement.GetProperty("is_error").GetBoolean());
        var requests = Upstream.Received;
        Assert.True(requests.Count >= 2, $"{requests.Count} requests in {clock.Elapsed}: {run}");
        Assert.All(requests, r => Assert.Equal("/v1/chat/completions", r.Path));
        using var last = JsonDocument.Parse(requests[^1].Body);
        var toolMessage = last.RootElement.GetProperty("messages").EnumerateArray().Last(m => m.GetProperty("role").GetString() == "tool");
        Assert.Contains(AgentScript.ToolOutput, toolMessage.GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Claude_code_with_a_bearer_token_passes_through_to_an_anthropic_deployment()
    {
        Upstream.SetScript(AgentScript.Spec);

        var run = await ClaudeCodeCli.RunAsync(Gateway.BaseUrl, TestConfig.ClientKey, "Run the test marker command, then report.", model: NativeModel, bearer: true);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var result = JsonDocument.Parse(run.Stdout);
        Assert.Equal(AgentScript.Answer, result.RootElement.GetProperty("result").GetString());
        var requests = Upstream.Received;
        Assert.True(requests.Count >= 2, run.ToString());
        Assert.All(requests, r => Assert.Equal("/v1/messages", r.Path));
        Assert.Contains("claude-code-20250219", requests[0].Headers["anthropic-beta"], StringComparison.Ordinal);
        Assert.Contains($"\"model\":\"{AnthropicUpstreamModel}\"", requests[0].Body, StringComparison.Ordinal);
        Assert.Contains(AgentScript.ToolOutput, requests[^1].Body, StringComparison.Ordinal);
    }
}
