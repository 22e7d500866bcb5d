using System.Text.Json;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace ModelGateway.Tests.Simulator;

public sealed class ToolCallTests
{
    private const string WeatherSchema = """
        {"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"},"celsius":{"type":"boolean"},
         "scale":{"type":"number"},"tags":{"type":"array","items":{"type":"string"}},"note":{"type":["string","null"]}},
         "required":["city"]}
        """;

    private static readonly ChatTool Weather = ChatTool.CreateFunctionTool("get_weather", "Weather for a city", BinaryData.FromString(WeatherSchema));
    private static readonly ChatTool Time = ChatTool.CreateFunctionTool("get_time", "Time in a city", BinaryData.FromString("""{"type":"object","properties":{"zone":{"type":"string"}}}"""));

    [Fact]
    public async Task Sdk_gets_a_tool_call_with_arguments_built_from_the_schema()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var chat = sim.OpenAiClient().GetChatClient("sim-small");

        ChatCompletion completion = await chat.CompleteChatAsync(
            [new UserChatMessage("Weather in Paris?")], new ChatCompletionOptions { Tools = { Weather, Time } });

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.Empty(completion.Content);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Matches("^call_[0-9a-f]{16}$", call.Id);
        Assert.Equal("get_weather", call.FunctionName);
        using var arguments = JsonDocument.Parse(call.FunctionArguments);
        Assert.Equal(
            """{"city":"sim-city","days":42,"celsius":true,"scale":42,"tags":null,"note":"sim-note"}""",
            arguments.RootElement.GetRawText());
        Assert.True(completion.Usage.OutputTokenCount > 0);

        ChatCompletion again = await chat.CompleteChatAsync(
            [new UserChatMessage("Weather in Paris?")], new ChatCompletionOptions { Tools = { Weather, Time } });
        Assert.Equal(call.Id, Assert.Single(again.ToolCalls).Id);
    }

    [Fact]
    public async Task Sdk_streams_tool_calls_as_a_start_fragment_and_three_argument_fragments()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var chat = sim.OpenAiClient().GetChatClient("sim-small");
        var options = new ChatCompletionOptions { Tools = { Weather } };

        ChatCompletion whole = await chat.CompleteChatAsync([new UserChatMessage("Weather in Paris?")], options);
        List<StreamingChatToolCallUpdate> fragments = [];
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Weather in Paris?")], options))
        {
            fragments.AddRange(update.ToolCallUpdates);
            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal(4, fragments.Count);
        Assert.All(fragments, f => Assert.Equal(0, f.Index));
        Assert.Equal(whole.ToolCalls[0].Id, fragments[0].ToolCallId);
        Assert.Equal("get_weather", fragments[0].FunctionName);
        Assert.Equal(string.Empty, fragments[0].FunctionArgumentsUpdate.ToString());
        Assert.All(fragments.Skip(1), f => Assert.Null(f.ToolCallId));
        Assert.All(fragments.Skip(1), f => Assert.NotEmpty(f.FunctionArgumentsUpdate.ToString()));
        var arguments = string.Concat(fragments.Select(f => f.FunctionArgumentsUpdate.ToString()));
        Assert.Equal(whole.ToolCalls[0].FunctionArguments.ToString(), arguments);
        using var parsed = JsonDocument.Parse(arguments);
        Assert.Equal("sim-city", parsed.RootElement.GetProperty("city").GetString());
    }

    [Fact]
    public async Task Tool_calls_header_asks_for_several_calls_with_distinct_ids()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();
        const string Body = """
            {"model":"m","messages":[{"role":"user","content":"go"}],"tools":[
              {"type":"function","function":{"name":"a","parameters":{"type":"object","properties":{"x":{"type":"string"}}}}},
              {"type":"function","function":{"name":"b"}},
              {"type":"function","function":{"name":"c"}}]}
            """;

        var body = await (await http.PostAsync("/v1/chat/completions", Body, ("x-sim-tool-calls", "2"))).JsonAsync();

        var message = body.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        var calls = message.GetProperty("tool_calls").EnumerateArray().ToList();
        Assert.Equal(["a", "b"], calls.Select(c => c.GetProperty("function").GetProperty("name").GetString()));
        Assert.Equal(["function", "function"], calls.Select(c => c.GetProperty("type").GetString()));
        Assert.Equal("""{"x":"sim-x"}""", calls[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("{}", calls[1].GetProperty("function").GetProperty("arguments").GetString());
        Assert.NotEqual(calls[0].GetProperty("id").GetString(), calls[1].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Streamed_calls_put_the_role_on_the_first_start_fragment()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();
        const string Body = """
            {"model":"m","stream":true,"messages":[{"role":"user","content":"go"}],"tools":[
              {"type":"function","function":{"name":"a","parameters":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}}}}},
              {"type":"function","function":{"name":"b","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}}]}
            """;

        using var response = await http.SendAsync(RawApi.Post("/v1/chat/completions", Body, ("x-sim-tool-calls", "2")), HttpCompletionOption.ResponseHeadersRead);
        var transcript = await SseTranscript.ReadAsync(response);

        var deltas = transcript.Chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta").GetRawText()).ToList();
        Assert.Equal(9, deltas.Count); // 2 x (start + 3 fragments) + finish
        Assert.Matches("""^\{"role":"assistant","content":null,"refusal":null,"tool_calls":\[\{"index":0,"id":"call_[0-9a-f]{16}","type":"function","function":\{"name":"a","arguments":""\}\}\]\}$""", deltas[0]);
        Assert.Matches("""^\{"tool_calls":\[\{"index":0,"function":\{"arguments":".+"\}\}\]\}$""", deltas[1]);
        Assert.Matches("""^\{"tool_calls":\[\{"index":1,"id":"call_[0-9a-f]{16}","type":"function","function":\{"name":"b","arguments":""\}\}\]\}$""", deltas[4]);
        Assert.Equal("{}", deltas[8]);
        Assert.Equal("tool_calls", transcript.Chunks[8].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.True(transcript.Done);
    }

    [Fact]
    public async Task Named_tool_choice_calls_that_function_and_none_gives_text()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var chat = sim.OpenAiClient().GetChatClient("sim-small");

        ChatCompletion named = await chat.CompleteChatAsync(
            [new UserChatMessage("hello")],
            new ChatCompletionOptions { Tools = { Weather, Time }, ToolChoice = ChatToolChoice.CreateFunctionChoice("get_time") });
        ChatCompletion none = await chat.CompleteChatAsync(
            [new UserChatMessage("hello")],
            new ChatCompletionOptions { Tools = { Weather, Time }, ToolChoice = ChatToolChoice.CreateNoneChoice() });

        Assert.Equal("get_time", Assert.Single(named.ToolCalls).FunctionName);
        Assert.Equal("""{"zone":"sim-zone"}""", named.ToolCalls[0].FunctionArguments.ToString());
        Assert.Empty(none.ToolCalls);
        Assert.Equal(RawApi.HelloReply, none.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, none.FinishReason);
    }

    [Fact]
    public async Task Tool_result_round_trip_echoes_the_result()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var chat = sim.OpenAiClient().GetChatClient("sim-small");
        var options = new ChatCompletionOptions { Tools = { Weather } };
        List<ChatMessage> messages = [new UserChatMessage("Weather in Paris?")];

        ChatCompletion call = await chat.CompleteChatAsync(messages, options);
        messages.Add(new AssistantChatMessage(call));
        messages.Add(new ToolChatMessage(call.ToolCalls[0].Id, """{"temperature":21,"sky":"clear and bright over the river"}"""));
        ChatCompletion answer = await chat.CompleteChatAsync(messages, options);

        Assert.Equal(ChatFinishReason.Stop, answer.FinishReason);
        Assert.Empty(answer.ToolCalls);
        // The first 40 characters of the tool message.
        Assert.Equal("""simulator got tool result: {"temperature":21,"sky":"clear and brigh""", answer.Content[0].Text);
        using var sent = JsonDocument.Parse(sim.State.Received[^1].Body);
        var toolMessage = sent.RootElement.GetProperty("messages")[2];
        Assert.Equal(call.ToolCalls[0].Id, toolMessage.GetProperty("tool_call_id").GetString());
    }

    [Fact]
    public async Task Unknown_named_function_is_a_400()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();
        const string Body = """
            {"model":"m","messages":[{"role":"user","content":"go"}],"tools":[{"type":"function","function":{"name":"a"}}],
             "tool_choice":{"type":"function","function":{"name":"zzz"}}}
            """;

        using var response = await http.PostAsync("/v1/chat/completions", Body);

        var error = await RawApi.AssertErrorAsync(response, 400, "invalid_request_error", "invalid_value");
        Assert.Equal("tool_choice", error.GetProperty("param").GetString());
    }
}
