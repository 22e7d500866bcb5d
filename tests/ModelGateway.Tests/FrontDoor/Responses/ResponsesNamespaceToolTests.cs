using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Simulator;
using ModelGateway.Tests.Providers;

namespace ModelGateway.Tests.FrontDoor.Responses;

/// <summary>
/// Codex's <c>namespace</c> tool (<c>multi_agent_v1</c> holding <c>spawn_agent</c>...) on translated deployments: the
/// upstream gets each function flat under <c>{namespace}__{name}</c> (unique even when another function has that name),
/// and a call it makes comes back to the client as OpenAI sends it, <c>{"type":"function_call","namespace":"multi_agent_v1",
/// "name":"spawn_agent",...}</c>, which is how Codex routes it to its own tool. The simulator's script picks the call.
/// </summary>
public sealed class ResponsesNamespaceToolTests
{
    private const string Tools = """
        [{"type":"function","name":"exec_command","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}},
         {"type":"namespace","name":"multi_agent_v1","description":"sub-agents","tools":[
           {"type":"function","name":"spawn_agent","parameters":{"type":"object","properties":{"message":{"type":"string"}}}},
           {"type":"function","name":"wait_agent","parameters":{"type":"object","properties":{}}}]},
         {"type":"namespace","name":"collab_v2","description":"other agents","tools":[
           {"type":"function","name":"spawn_agent","parameters":{"type":"object","properties":{}}}]},
         {"type":"web_search"}]
        """;

    public static readonly TheoryData<string, bool> Paths = new()
    {
        { "openai", true }, { "openai", false }, { "anthropic", true }, { "gemini", false },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task A_namespaced_call_comes_back_with_its_namespace_and_goes_up_flat_on_the_next_turn(string kind, bool stream)
    {
        await using var host = await ProviderKindHost.StartAsync(kind);
        host.Simulator.State.SetScript(Script("multi_agent_v1__spawn_agent", "agent spawned"));
        var user = """{"type":"message","role":"user","content":[{"type":"input_text","text":"delegate it"}]}""";

        var call = await FunctionCallAsync(host, Body(stream, user));

        Assert.Equal("multi_agent_v1", call["namespace"]!.GetValue<string>());
        Assert.Equal("spawn_agent", call["name"]!.GetValue<string>());
        Assert.Equal("""{"message":"explore"}""", Compact(call["arguments"]!.GetValue<string>()));
        Assert.Equal(
            ["exec_command", "multi_agent_v1__spawn_agent", "multi_agent_v1__wait_agent", "collab_v2__spawn_agent"],
            ToolNamesSent(host, kind));

        // Codex's next turn (store: false) sends the call back as it got it, with the tool's output.
        var callId = call["call_id"]!.GetValue<string>();
        var history = $$"""
            {{user}},
            {"type":"function_call","id":"fc_1","status":"completed","namespace":"multi_agent_v1","name":"spawn_agent","arguments":{{JsonSerializer.Serialize(call["arguments"]!.GetValue<string>())}},"call_id":"{{callId}}"},
            {"type":"function_call_output","call_id":"{{callId}}","output":"agent-7 started"}
            """;
        using var http = host.Gateway.HttpClient();
        using var next = await http.PostAsync("/v1/responses", new StringContent(Body(stream: false, history), Encoding.UTF8, "application/json"));
        var answer = JsonNode.Parse(await next.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal("agent spawned", answer["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Contains("multi_agent_v1__spawn_agent", CalledNameSent(host, kind), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flat_names_stay_unique_and_map_back_exactly_when_a_plain_function_has_the_same_name()
    {
        await using var host = await ProviderKindHost.StartAsync("openai");
        const string Clashing = """
            [{"type":"function","name":"multi_agent_v1__spawn_agent","parameters":{"type":"object","properties":{}}},
             {"type":"namespace","name":"multi_agent_v1","description":"d","tools":[{"type":"function","name":"spawn_agent","parameters":{"type":"object","properties":{}}}]}]
            """;
        var user = """{"type":"message","role":"user","content":"go"}""";

        host.Simulator.State.SetScript(Script("multi_agent_v1__spawn_agent_2", "done"));
        var namespaced = await FunctionCallAsync(host, Body(false, user, Clashing));
        host.Simulator.State.SetScript(Script("multi_agent_v1__spawn_agent", "done"));
        var plain = await FunctionCallAsync(host, Body(false, user, Clashing));

        Assert.Equal(["multi_agent_v1__spawn_agent", "multi_agent_v1__spawn_agent_2"], ToolNamesSent(host, "openai"));
        Assert.Equal("multi_agent_v1", namespaced["namespace"]!.GetValue<string>());
        Assert.Equal("spawn_agent", namespaced["name"]!.GetValue<string>());
        Assert.Null(plain["namespace"]);
        Assert.Equal("multi_agent_v1__spawn_agent", plain["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_tool_choice_naming_a_namespaced_function_forces_its_flat_name()
    {
        await using var host = await ProviderKindHost.StartAsync("openai");
        var body = JsonNode.Parse(Body(false, """{"type":"message","role":"user","content":"go"}"""))!;
        body["tool_choice"] = JsonNode.Parse("""{"type":"function","namespace":"collab_v2","name":"spawn_agent"}""");
        host.Simulator.State.SetScript(new ScriptSpec
        {
            ToolCalls = [Call("multi_agent_v1__spawn_agent"), Call("collab_v2__spawn_agent")],
            Answer = "done",
        });

        var call = await FunctionCallAsync(host, body.ToJsonString());

        var sent = JsonNode.Parse(host.Simulator.State.Received[^1].Body)!;
        Assert.Equal("collab_v2__spawn_agent", sent["tool_choice"]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("collab_v2", call["namespace"]!.GetValue<string>());
        Assert.Equal("spawn_agent", call["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"type":"namespace","tools":[]}""", "tools[0].name")]
    [InlineData("""{"type":"namespace","name":"a","tools":[{"type":"namespace","name":"b","tools":[]}]}""", "tools[0].tools[0].type")]
    public async Task A_malformed_namespace_tool_is_a_400_naming_the_field(string tool, string param)
    {
        await using var host = await ProviderKindHost.StartAsync("openai");
        using var http = host.Gateway.HttpClient();
        using var response = await http.PostAsync("/v1/responses", new StringContent($$"""{"model":"m","input":"hi","tools":[{{tool}}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["param"]!.GetValue<string>());
        Assert.Empty(host.Simulator.State.Received);
    }

    [Fact]
    public async Task A_tool_choice_naming_a_function_of_another_namespace_is_a_400()
    {
        await using var host = await ProviderKindHost.StartAsync("openai");
        var body = JsonNode.Parse(Body(false, """{"type":"message","role":"user","content":"go"}"""))!;
        body["tool_choice"] = JsonNode.Parse("""{"type":"function","namespace":"collab_v2","name":"wait_agent"}""");
        using var http = host.Gateway.HttpClient();
        using var response = await http.PostAsync("/v1/responses", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("tool_choice", error["param"]!.GetValue<string>());
        Assert.Contains("collab_v2.wait_agent", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static string Body(bool stream, string input, string tools = Tools) =>
        $$"""{"model":"m","stream":{{(stream ? "true" : "false")}},"store":false,"include":["reasoning.encrypted_content"],"input":[{{input}}],"tools":{{tools}}}""";

    private static ScriptSpec Script(string call, string answer) => new() { ToolCalls = [Call(call)], Answer = answer };

    private static ScriptedToolCall Call(string name) => new(name, JsonSerializer.SerializeToElement(new { message = "explore" }));

    /// <summary>The one function_call output item of the answer: the <c>output_item.done</c> item of a stream (checked against the completed response), or the body's.</summary>
    private static async Task<JsonNode> FunctionCallAsync(ProviderKindHost host, string body)
    {
        using var http = host.Gateway.HttpClient();
        using var response = await http.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (!text.StartsWith("event:", StringComparison.Ordinal))
        {
            return JsonNode.Parse(text)!["output"]!.AsArray().Single(item => item!["type"]!.GetValue<string>() == "function_call")!;
        }

        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => JsonNode.Parse(block.Split('\n').Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..])!)
            .ToList();
        static bool IsCall(JsonNode? item) => item!["type"]!.GetValue<string>() == "function_call";
        var added = events.Single(e => e["type"]!.GetValue<string>() == "response.output_item.added" && IsCall(e["item"]))["item"]!;
        var done = events.Single(e => e["type"]!.GetValue<string>() == "response.output_item.done" && IsCall(e["item"]))["item"]!;
        var completed = events[^1];
        Assert.Equal("response.completed", completed["type"]!.GetValue<string>());
        Assert.Equal(done.ToJsonString(), completed["response"]!["output"]!.AsArray().Single(IsCall)!.ToJsonString());
        Assert.Equal(done["namespace"]?.GetValue<string>(), added["namespace"]?.GetValue<string>());
        Assert.Equal(done["name"]!.GetValue<string>(), added["name"]!.GetValue<string>());
        return done;
    }

    /// <summary>The function names the upstream was offered, in its own protocol.</summary>
    private static List<string> ToolNamesSent(ProviderKindHost host, string kind)
    {
        var sent = JsonNode.Parse(host.Simulator.State.Received[^1].Body)!;
        return kind switch
        {
            "anthropic" => [.. sent["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>())],
            "gemini" => [.. sent["tools"]![0]!["functionDeclarations"]!.AsArray().Select(t => t!["name"]!.GetValue<string>())],
            _ => [.. sent["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>())],
        };
    }

    /// <summary>The name of the earlier call as the upstream got it back in the history.</summary>
    private static string CalledNameSent(ProviderKindHost host, string kind)
    {
        var sent = JsonNode.Parse(host.Simulator.State.Received[^1].Body)!;
        return kind switch
        {
            "anthropic" => sent["messages"]!.AsArray().SelectMany(m => m!["content"] is JsonArray blocks ? blocks : [])
                .Single(b => b!["type"]!.GetValue<string>() == "tool_use")!["name"]!.GetValue<string>(),
            "gemini" => sent["contents"]!.AsArray().SelectMany(c => c!["parts"]!.AsArray())
                .Single(p => p!["functionCall"] is not null)!["functionCall"]!["name"]!.GetValue<string>(),
            _ => sent["messages"]!.AsArray().Single(m => m!["tool_calls"] is not null)!["tool_calls"]![0]!["function"]!["name"]!.GetValue<string>(),
        };
    }

    private static string Compact(string json) => JsonNode.Parse(json)!.ToJsonString();
}
