using System.Text.Json;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.RealClients;

/// <summary>
/// The real agent clients, run once each against the simulator's native endpoints (Codex CLI on
/// <c>/v1/responses</c>, Claude Code on <c>/v1/messages</c>): the model (scripted) calls a shell tool, the client
/// runs the command and sends its output back, the model answers, and the client prints that answer and exits 0.
/// The gateway's front-door tests run the same clients with the base URL pointed at the gateway.
/// </summary>
[Trait("Category", "RealClients")]
public sealed class RealClientTests
{
    private const string Key = "sk-real-client-test";

    [Fact]
    public async Task Codex_exec_runs_the_scripted_command_on_the_simulator_responses_api_and_prints_the_answer()
    {
        await using var simulator = await SimulatorHost.StartAsync(o => o.RequiredApiKey = Key);
        simulator.State.SetScript(AgentScript.Spec);

        var run = await CodexCli.RunAsync(simulator.BaseUrl + "/v1", Key, "sim-small", "Run the test marker command, then report.");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(AgentScript.Answer, run.Stdout, StringComparison.Ordinal);
        var requests = simulator.State.Received;
        Assert.All(requests, r => Assert.Equal("/v1/responses", r.Path));
        Assert.True(requests.Count >= 2, $"{requests.Count} requests: {run}");
        Assert.Equal("codex_exec", requests[0].Headers["originator"]);
        Assert.Equal("Bearer " + Key, requests[0].Headers["authorization"]);
        var output = FunctionCallOutputs(requests[^1].Body).Single();
        Assert.Contains(AgentScript.ToolOutput, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Claude_code_print_mode_runs_the_scripted_command_on_the_simulator_messages_api_and_prints_the_answer()
    {
        await using var simulator = await SimulatorHost.StartAsync(o => o.RequiredApiKey = Key);
        simulator.State.SetScript(AgentScript.Spec);

        var run = await ClaudeCodeCli.RunAsync(simulator.BaseUrl, Key, "Run the test marker command, then report.");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var result = JsonDocument.Parse(run.Stdout);
        Assert.Equal(AgentScript.Answer, result.RootElement.GetProperty("result").GetString());
        Assert.False(result.RootElement.GetProperty("is_error").GetBoolean());
        var requests = simulator.State.Received;
        Assert.All(requests, r => Assert.Equal(("/v1/messages", "?beta=true"), (r.Path, r.Query)));
        Assert.True(requests.Count >= 2, $"{requests.Count} requests: {run}");
        Assert.Equal(Key, requests[0].Headers["x-api-key"]);
        Assert.False(string.IsNullOrEmpty(requests[0].Headers["anthropic-beta"]));
        var toolResult = ToolResults(requests[^1].Body).Single();
        Assert.Contains(AgentScript.ToolOutput, toolResult, StringComparison.Ordinal);
    }

    private static List<string> FunctionCallOutputs(string body)
    {
        using var document = JsonDocument.Parse(body);
        return [.. document.RootElement.GetProperty("input").EnumerateArray()
            .Where(i => i.TryGetProperty("type", out var t) && t.GetString() == "function_call_output")
            .Select(i => i.GetProperty("output").ToString())];
    }

    private static List<string> ToolResults(string body)
    {
        using var document = JsonDocument.Parse(body);
        return [.. document.RootElement.GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("content").ValueKind == JsonValueKind.Array)
            .SelectMany(m => m.GetProperty("content").EnumerateArray())
            .Where(b => b.GetProperty("type").GetString() == "tool_result")
            .Select(b => b.GetProperty("content").ToString())];
    }
}
