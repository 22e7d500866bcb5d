using System.Net;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Simulator;

/// <summary>The simulator's Messages endpoint takes a request shaped like Claude Code's, and counts tokens.</summary>
public sealed class ClaudeCodeMessagesTests
{
    private const string ClaudeCodeBody = """
        {"model":"claude-opus-5-5","max_tokens":32000,"stream":true,
         "system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=2"},{"type":"text","text":"You are an agent.","cache_control":{"type":"ephemeral"}}],
         "messages":[{"role":"user","content":[{"type":"text","text":"hello"}]},{"role":"system","content":[{"type":"text","text":"# Environment"}]}],
         "tools":[{"name":"Bash","description":"d","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}},
                  {"name":"DeferredToolPlaceholder","description":"d","defer_loading":true,"input_schema":{"type":"object"}},
                  {"type":"web_search_20250305","name":"web_search","max_uses":5}],
         "thinking":{"type":"adaptive","display":"omitted"},"output_config":{"effort":"high"},
         "context_management":{"edits":[{"type":"clear_thinking_20251015","keep":"all"}]},"metadata":{"user_id":"{\"device_id\":\"d\"}"}}
        """;

    [Fact]
    public async Task A_claude_code_request_with_bearer_key_and_beta_query_streams_a_tool_use_and_is_recorded_byte_for_byte()
    {
        await using var simulator = await SimulatorHost.StartAsync(o => o.RequiredApiKey = "sk-cc");
        using var http = simulator.HttpClient("sk-cc");

        using var response = await http.PostAsync(
            "/v1/messages?beta=true", ClaudeCodeBody, ("anthropic-version", "2023-06-01"), ("anthropic-beta", "claude-code-20250219,effort-2025-11-24"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("event: message_start", text, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"Bash\"", text, StringComparison.Ordinal);
        Assert.Contains("event: message_stop", text, StringComparison.Ordinal);
        var recorded = Assert.Single(simulator.State.Received);
        Assert.Equal(("/v1/messages", "?beta=true"), (recorded.Path, recorded.Query));
        Assert.Equal(ClaudeCodeBody, recorded.Body);
        Assert.Equal("claude-code-20250219,effort-2025-11-24", recorded.Headers["anthropic-beta"]);
    }

    [Fact]
    public async Task Count_tokens_answers_input_tokens_for_a_body_without_max_tokens()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        using var http = simulator.HttpClient();

        using var response = await http.PostAsync(
            "/v1/messages/count_tokens?beta=true", """{"model":"claude-x","messages":[{"role":"user","content":"hello there, how are you"}]}""", ("anthropic-version", "2023-06-01"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal(["input_tokens"], json.EnumerateObject().Select(p => p.Name));
        Assert.True(json.GetProperty("input_tokens").GetInt32() > 0);
    }
}
