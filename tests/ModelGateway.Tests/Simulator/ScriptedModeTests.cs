using System.Net;
using System.Text.Json;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Simulator;

/// <summary>
/// The scripted agent turn (<c>/_sim/script</c>): the first scripted tool the request offers is called, and once the
/// request ends with a tool result the scripted answer comes, on chat completions, Responses and Messages alike.
/// </summary>
public sealed class ScriptedModeTests
{
    private const string Script = """
        {"toolCalls":[{"name":"exec_command","arguments":{"cmd":"echo hi"}},{"name":"Bash","arguments":{"command":"echo hi"}}],
         "answer":"scripted final answer"}
        """;

    [Fact]
    public async Task Chat_completions_call_the_offered_tool_then_answer_after_the_tool_message()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        using var http = await ScriptedAsync(simulator);
        const string Tools = """[{"type":"function","function":{"name":"read"}},{"type":"function","function":{"name":"exec_command","parameters":{"type":"object"}}}]""";

        var first = await (await http.PostAsync("/v1/chat/completions", $$"""{"model":"m","tools":{{Tools}},"messages":[{"role":"user","content":"go"}]}""")).JsonAsync();
        var call = first.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0];
        Assert.Equal("exec_command", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("""{"cmd":"echo hi"}""", call.GetProperty("function").GetProperty("arguments").GetString());

        var second = await (await http.PostAsync("/v1/chat/completions", $$$"""
            {"model":"m","tools":{{{Tools}}},"messages":[{"role":"user","content":"go"},
             {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"exec_command","arguments":"{}"}}]},
             {"role":"tool","tool_call_id":"c1","content":"hi"}]}
            """)).JsonAsync();
        Assert.Equal("scripted final answer", second.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Responses_pick_the_scripted_tool_among_codex_tools_and_answer_after_the_function_call_output()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        using var http = await ScriptedAsync(simulator);
        const string Tools = """[{"type":"function","name":"view_image"},{"type":"function","name":"exec_command"},{"type":"web_search"}]""";

        var first = await (await http.PostAsync("/v1/responses", $$"""{"model":"m","store":false,"tools":{{Tools}},"input":"go"}""")).JsonAsync();
        var call = first.GetProperty("output")[0];
        Assert.Equal(("exec_command", """{"cmd":"echo hi"}"""), (call.GetProperty("name").GetString(), call.GetProperty("arguments").GetString()));

        var second = await (await http.PostAsync("/v1/responses", $$"""
            {"model":"m","store":false,"tools":{{Tools}},"input":[{"role":"user","content":"go"},
             {"type":"function_call","call_id":"c1","name":"exec_command","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"hi"}]}
            """)).JsonAsync();
        Assert.Equal("scripted final answer", second.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Messages_call_bash_then_answer_after_the_tool_result_even_with_system_entries_between()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        using var http = await ScriptedAsync(simulator);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        const string Tools = """[{"name":"Agent","input_schema":{"type":"object"}},{"name":"Bash","input_schema":{"type":"object"}}]""";

        var first = await (await http.PostAsync("/v1/messages?beta=true", $$"""{"model":"claude-x","max_tokens":32000,"tools":{{Tools}},"messages":[{"role":"user","content":"go"},{"role":"system","content":"env"}]}""")).JsonAsync();
        var use = first.GetProperty("content")[0];
        Assert.Equal(("tool_use", "Bash", "echo hi"), (use.GetProperty("type").GetString(), use.GetProperty("name").GetString(), use.GetProperty("input").GetProperty("command").GetString()));

        var second = await (await http.PostAsync("/v1/messages?beta=true", $$$"""
            {"model":"claude-x","max_tokens":32000,"tools":{{{Tools}}},"messages":[{"role":"user","content":"go"},{"role":"system","content":"env"},
             {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"hi"}]},{"role":"system","content":"reminder"}]}
            """)).JsonAsync();
        Assert.Equal("scripted final answer", second.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Without_an_offered_scripted_tool_the_answer_comes_at_once_and_clearing_restores_generated_replies()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        using var http = await ScriptedAsync(simulator);

        var scripted = await (await http.PostAsync("/v1/chat/completions", RawApi.Hello)).JsonAsync();
        Assert.Equal("scripted final answer", scripted.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/_sim/script")).StatusCode);
        var generated = await (await http.PostAsync("/v1/chat/completions", RawApi.Hello)).JsonAsync();
        Assert.Equal(RawApi.HelloReply, generated.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("""{"answer":""}""")]
    [InlineData("""{"answer":"a","toolCalls":[{"name":"x","arguments":"not an object"}]}""")]
    [InlineData("""{"answer":"a","toolCalls":[{"name":"","arguments":{}}]}""")]
    public async Task Invalid_scripts_are_refused(string script)
    {
        await using var simulator = await SimulatorHost.StartAsync();
        using var http = simulator.HttpClient();

        using var response = await http.PostAsync("/_sim/script", script);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(simulator.State.Script);
    }

    private static async Task<HttpClient> ScriptedAsync(SimulatorHost simulator)
    {
        var http = simulator.HttpClient();
        using var response = await http.PostAsync("/_sim/script", Script);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("scripted final answer", simulator.State.Script?.Answer);
        return http;
    }
}
