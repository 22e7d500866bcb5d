using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Providers;

namespace ModelGateway.Tests.FrontDoor.Responses;

/// <summary>
/// The Responses API on the wire, through the translated path (an OpenAI-compatible chat deployment): the exact
/// event sequence a strict client expects, what the chat upstream receives, and clear 4xx errors for bad input.
/// </summary>
public sealed class ResponsesWireTests : IAsyncLifetime
{
    private ProviderKindHost _host = null!;

    public async Task InitializeAsync() => _host = await ProviderKindHost.StartAsync("openai", defaultChunks: 4);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_translated_stream_has_every_event_in_order_with_sequence_numbers_and_one_terminal_event()
    {
        var events = await StreamAsync("""{"model":"m","stream":true,"input":"hello"}""");

        Assert.Equal(
            [
                "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed",
            ],
            events.Select(e => e.Type));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data["sequence_number"]!.GetValue<int>()));
        Assert.Equal(events.Select(e => e.Type), events.Select(e => e.Data["type"]!.GetValue<string>()));
        var created = events[0].Data["response"]!;
        Assert.Equal("in_progress", created["status"]!.GetValue<string>());
        Assert.Empty(created["output"]!.AsArray());
        Assert.Null(created["error"]);
        var delta = events[4].Data;
        Assert.Empty(delta["logprobs"]!.AsArray());
        Assert.Equal(0, delta["content_index"]!.GetValue<int>());
        Assert.Equal(events[2].Data["item"]!["id"]!.GetValue<string>(), delta["item_id"]!.GetValue<string>());
        Assert.Equal("in_progress", events[2].Data["item"]!["status"]!.GetValue<string>());
        Assert.Equal("completed", events[10].Data["item"]!["status"]!.GetValue<string>());
        var completed = events[^1].Data["response"]!;
        Assert.Equal("completed", completed["status"]!.GetValue<string>());
        Assert.Equal("sim says " + string.Concat(events.Skip(6).Take(2).Select(e => e.Data["delta"]!.GetValue<string>())),
            completed["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.True(completed["usage"]!["input_tokens"]!.GetValue<int>() > 0);
    }

    [Fact]
    public async Task Tool_calls_stream_as_function_call_items_and_built_in_tools_are_dropped_with_a_header()
    {
        using var http = _host.Gateway.HttpClient();
        var body = """
            {"model":"m","stream":true,"store":false,"input":"list files","tools":[
              {"type":"function","name":"exec_command","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}},
              {"type":"namespace","name":"multi_agent_v1","tools":[{"type":"function","name":"spawn_agent","parameters":{"type":"object","properties":{}}}]},
              {"type":"web_search","external_web_access":true}]}
            """;
        using var response = await http.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"));
        var events = Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("web_search", Assert.Single(response.Headers.GetValues("x-gateway-dropped-tools")));
        var added = events.Single(e => e.Type == "response.output_item.added").Data["item"]!;
        Assert.Equal("function_call", added["type"]!.GetValue<string>());
        Assert.Equal("exec_command", added["name"]!.GetValue<string>());
        var done = events.Single(e => e.Type == "response.function_call_arguments.done").Data;
        Assert.Equal("""{"cmd":"sim-cmd"}""", done["arguments"]!.GetValue<string>());
        Assert.Equal(done["arguments"]!.GetValue<string>(),
            string.Concat(events.Where(e => e.Type == "response.function_call_arguments.delta").Select(e => e.Data["delta"]!.GetValue<string>())));
        Assert.Equal("response.completed", events[^1].Type);

        var sent = JsonNode.Parse(_host.Simulator.State.Received.Single().Body)!;
        Assert.Equal(["exec_command", "multi_agent_v1__spawn_agent"], sent["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()));
        Assert.True(sent["stream_options"]!["include_usage"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Codex_history_maps_to_assistant_tool_calls_and_tool_messages_without_reasoning()
    {
        using var http = _host.Gateway.HttpClient();
        var body = """
            {"model":"m","stream":true,"store":false,"include":["reasoning.encrypted_content"],"input":[
              {"type":"message","role":"developer","content":[{"type":"input_text","text":"be brief"}]},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"run it"}]},
              {"type":"reasoning","id":"rs_1","summary":[],"content":null,"encrypted_content":"opaque"},
              {"type":"function_call","id":"fc_1","status":"completed","name":"exec_command","arguments":"{\"cmd\":\"ls\"}","call_id":"call_1"},
              {"type":"function_call_output","id":"fco_1","call_id":"call_1","output":"a.txt"}],
             "tools":[{"type":"function","name":"exec_command","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}}]}
            """;
        using var response = await http.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"));
        var events = Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("response.completed", events[^1].Type);
        var messages = JsonNode.Parse(_host.Simulator.State.Received.Single().Body)!["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "tool"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("call_1", messages[2]!["tool_calls"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("call_1", messages[3]!["tool_call_id"]!.GetValue<string>());
        Assert.DoesNotContain("opaque", _host.Simulator.State.Received.Single().Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_breaks_after_it_began_ends_with_an_error_event_and_response_failed()
    {
        _host.Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.CutStream, AfterChunks = 3 });
        var events = await StreamAsync("""{"model":"m","stream":true,"input":"hello"}""");

        Assert.Equal("error", events[^2].Type);
        Assert.Equal("server_error", events[^2].Data["error"]!["type"]!.GetValue<string>());
        Assert.Equal("response.failed", events[^1].Type);
        Assert.Equal("failed", events[^1].Data["response"]!["status"]!.GetValue<string>());
        Assert.Single(events, e => e.Type.StartsWith("response.completed", StringComparison.Ordinal) || e.Type == "response.failed");
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data["sequence_number"]!.GetValue<int>()));
    }

    [Theory]
    [InlineData("""{"model":"m","input":[{"type":"telepathy"}]}""", 400, "input[0].type")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"robot","content":"hi"}]}""", 400, "input[0].role")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"user","content":[{"type":"input_audio"}]}]}""", 400, "input[0].content[0].type")]
    [InlineData("""{"model":"m","input":[{"type":"function_call","name":"f"}]}""", 400, "input[0].call_id")]
    [InlineData("""{"model":"m","input":[{"type":"function_call_output","call_id":"call_x","output":"1"}]}""", 400, "input[0].call_id")]
    [InlineData("""{"model":"m","input":42}""", 400, "input")]
    [InlineData("""{"input":"hi"}""", 400, "model")]
    [InlineData("""{"model":"m","input":"hi","previous_response_id":"resp_nope"}""", 404, "previous_response_id")]
    [InlineData("""{"model":"m","input":"hi","text":{"format":{"type":"yaml"}}}""", 400, "text.format.type")]
    [InlineData("""{"model":"m","input":"hi","tool_choice":{"type":"function","name":"missing"}}""", 400, "tool_choice")]
    public async Task Bad_input_is_a_clear_4xx_in_the_OpenAI_envelope(string body, int status, string param)
    {
        using var http = _host.Gateway.HttpClient();
        using var response = await http.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(param, error["param"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()));
        Assert.Empty(_host.Simulator.State.Received);
    }

    [Fact]
    public async Task An_oversized_input_is_a_413_in_the_OpenAI_envelope()
    {
        using var http = _host.Gateway.HttpClient();
        var huge = new string('a', 17 * 1024 * 1024);
        using var response = await http.PostAsync("/v1/responses", new StringContent($$"""{"model":"m","input":"{{huge}}"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["message"]);
    }

    [Fact]
    public async Task Route_explain_accepts_a_responses_body()
    {
        using var http = _host.Gateway.HttpClient();
        using var response = await http.PostAsync("/v1/route/explain", new StringContent("""{"model":"m","input":[{"type":"message","role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var explanation = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("native-m", explanation["order"]![0]!.GetValue<string>());
    }

    private async Task<List<(string Type, JsonNode Data)>> StreamAsync(string body)
    {
        using var http = _host.Gateway.HttpClient();
        using var response = await http.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    private static List<(string Type, JsonNode Data)> Parse(string stream)
    {
        var events = new List<(string, JsonNode)>();
        foreach (var block in stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            var type = lines.Single(l => l.StartsWith("event: ", StringComparison.Ordinal))["event: ".Length..];
            var data = JsonNode.Parse(lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..])!;
            events.Add((type, data));
        }

        return events;
    }
}
