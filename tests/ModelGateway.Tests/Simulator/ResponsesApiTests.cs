using System.Net;
using System.Text.Json;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Simulator;

/// <summary>The simulator's native OpenAI Responses API at the wire (the npm SDK checks it too: tests/sdk-check).</summary>
public sealed class ResponsesApiTests
{
    [Fact]
    public async Task Stream_sends_the_typed_events_in_openai_order_with_consecutive_sequence_numbers()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        using var http = simulator.HttpClient();

        using var response = await http.PostAsync("/v1/responses", """{"model":"sim-small","input":"hello","stream":true,"tools":[{"type":"web_search"}]}""", ("x-sim-chunks", "2"));
        var events = await EventsAsync(response);

        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
             "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
             "response.content_part.done", "response.output_item.done", "response.completed"],
            events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal(e.Name, e.Data.GetProperty("type").GetString()));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()));
        var created = events[0].Data.GetProperty("response");
        Assert.Equal("in_progress", created.GetProperty("status").GetString());
        Assert.Equal(0, created.GetProperty("output").GetArrayLength());
        Assert.Equal("in_progress", events[2].Data.GetProperty("item").GetProperty("status").GetString());
        var completed = events[^1].Data.GetProperty("response");
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal("simulator says", completed.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(2, completed.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task A_function_call_and_its_output_continue_by_previous_response_id_and_the_stored_response_can_be_read_and_deleted()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        using var http = simulator.HttpClient();
        const string Tools = """[{"type":"namespace","name":"ns","tools":[{"type":"function","name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}]},{"type":"web_search"}]""";

        var first = await (await http.PostAsync("/v1/responses", $$"""{"model":"sim-small","input":"find it","tools":{{Tools}}}""")).JsonAsync();
        var call = first.GetProperty("output")[0];
        Assert.Equal(("function_call", "lookup", """{"q":"sim-q"}"""), (call.GetProperty("type").GetString(), call.GetProperty("name").GetString(), call.GetProperty("arguments").GetString()));
        var id = first.GetProperty("id").GetString()!;
        var callId = call.GetProperty("call_id").GetString();

        var second = await (await http.PostAsync("/v1/responses", $$"""{"model":"sim-small","previous_response_id":"{{id}}","input":[{"type":"function_call_output","call_id":"{{callId}}","output":"found 7"}]}""")).JsonAsync();
        Assert.Equal("simulator got tool result: found 7", second.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(id, second.GetProperty("previous_response_id").GetString());

        var retrieved = await (await http.GetAsync("/v1/responses/" + id)).JsonAsync();
        Assert.Equal(first.GetRawText(), retrieved.GetRawText());
        using var deleted = await http.DeleteAsync("/v1/responses/" + id);
        Assert.Equal(id, (await deleted.JsonAsync()).GetProperty("id").GetString());
        await RawApi.AssertErrorAsync(await http.GetAsync("/v1/responses/" + id), 404, "invalid_request_error", null);
        await RawApi.AssertErrorAsync(
            await http.PostAsync("/v1/responses", $$"""{"model":"sim-small","previous_response_id":"{{id}}","input":"again"}"""),
            404, "invalid_request_error", "previous_response_not_found");
    }

    [Fact]
    public async Task What_codex_sends_is_accepted_and_store_false_keeps_nothing()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        using var http = simulator.HttpClient();
        const string Body = """
            {"model":"gpt-5.5","stream":false,"store":false,"include":["reasoning.encrypted_content"],"reasoning":{"summary":"auto"},
             "prompt_cache_key":"k1","client_metadata":{"x":"y"},"tool_choice":"auto","parallel_tool_calls":true,"text":{"verbosity":"low"},
             "input":[{"type":"message","role":"developer","content":[{"type":"input_text","text":"be careful"}]},
                      {"type":"message","role":"user","content":[{"type":"input_text","text":"run ls"}]},
                      {"type":"reasoning","id":"rs_1","summary":[],"content":null,"encrypted_content":"abc"},
                      {"type":"function_call","id":"fc_1","name":"exec_command","arguments":"{\"cmd\":\"ls\"}","call_id":"call_1"},
                      {"type":"function_call_output","call_id":"call_1","output":"a.txt"}],
             "tools":[{"type":"function","name":"exec_command","strict":false,"parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}},
                      {"type":"namespace","name":"multi_agent_v1","description":"d","tools":[{"type":"function","name":"spawn_agent","parameters":{"type":"object","properties":{}}}]},
                      {"type":"web_search","external_web_access":true}]}
            """;

        using var response = await http.PostAsync("/v1/responses", Body);
        var json = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var output = json.GetProperty("output");
        Assert.Equal("reasoning", output[0].GetProperty("type").GetString());
        Assert.True(output[0].TryGetProperty("encrypted_content", out _));
        Assert.Equal("simulator got tool result: a.txt", output[1].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.False(json.GetProperty("store").GetBoolean());
        await RawApi.AssertErrorAsync(await http.GetAsync("/v1/responses/" + json.GetProperty("id").GetString()), 404, "invalid_request_error", null);
    }

    [Theory]
    [InlineData("""{"model":"sim-small"}""", "missing_required_parameter")]
    [InlineData("""{"model":"sim-small","input":[{"type":"function_call_output","call_id":"call_x","output":"o"}]}""", "invalid_value")]
    [InlineData("""{"model":"sim-small","input":[{"type":"message","role":"robot","content":"hi"}]}""", "invalid_value")]
    [InlineData("""{"model":"sim-small","input":7}""", "invalid_type")]
    public async Task Bad_requests_get_openai_400s(string body, string code)
    {
        await using var simulator = await SimulatorHost.StartAsync();
        using var http = simulator.HttpClient();

        await RawApi.AssertErrorAsync(await http.PostAsync("/v1/responses", body), 400, "invalid_request_error", code);
    }

    private static async Task<List<(string Name, JsonElement Data)>> EventsAsync(HttpResponseMessage response)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var events = new List<(string, JsonElement)>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            Assert.StartsWith("event: ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("data: ", lines[1], StringComparison.Ordinal);
            using var document = JsonDocument.Parse(lines[1]["data: ".Length..]);
            events.Add((lines[0]["event: ".Length..], document.RootElement.Clone()));
        }

        return events;
    }
}
