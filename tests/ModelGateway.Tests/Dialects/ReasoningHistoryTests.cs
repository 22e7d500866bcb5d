using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Dialects;

/// <summary>
/// DeepSeek refuses <c>reasoning_content</c> sent back on an earlier answer, but its thinking mode requires it on
/// a tool-call turn. The gateway removes the first and keeps the second; other dialects get the client's bytes.
/// </summary>
public sealed class ReasoningHistoryTests
{
    private const string SecondTurn = """
        {"model":"deepseek-chat","messages":[
          {"role":"user","content":"What is 2+2?"},
          {"role":"assistant", "content":"4", "reasoning_content":"Two and two make four."},
          {"role":"user","content":"And the weather?"},
          {"role":"assistant","content":null,"reasoning_content":"I need the weather tool.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"sunny"},
          {"role":"assistant","reasoning_content":"last member first","content":"It is sunny."},
          {"role":"user","content":"Thanks"}
        ]}
        """;

    [Fact]
    public async Task Reasoning_of_an_answer_is_not_sent_back_to_a_deepseek_upstream_but_a_tool_call_turn_keeps_its_own()
    {
        await using var simulator = await SimulatorHost.StartAsync(o => { o.Name = "sim"; o.Dialect = "deepseek"; });

        // The simulated host refuses the raw history, as DeepSeek does: without the gateway's filter this test fails.
        using (var direct = simulator.HttpClient())
        using (var refused = await direct.PostAsync("/v1/chat/completions", Json(SecondTurn)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        simulator.State.Clear();
        await using var gateway = await GatewayHost.StartAsync(DialectCostTests.Config(simulator, "deepseek"));
        using var http = gateway.HttpClient();
        using var response = await http.PostAsync("/v1/chat/completions", Json(SecondTurn));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var sent = JsonNode.Parse(Assert.Single(simulator.State.Received).Body)!["messages"]!.AsArray();
        Assert.Equal(7, sent.Count);
        Assert.Null(sent[1]!["reasoning_content"]);
        Assert.Equal("4", sent[1]!["content"]!.GetValue<string>());
        Assert.Equal("I need the weather tool.", sent[3]!["reasoning_content"]!.GetValue<string>());
        Assert.Null(sent[5]!["reasoning_content"]);
        Assert.Equal("It is sunny.", sent[5]!["content"]!.GetValue<string>());
        Assert.Equal("sunny", sent[4]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Other_dialects_receive_the_history_as_the_client_sent_it()
    {
        await using var simulator = await SimulatorHost.StartAsync(o => { o.Name = "sim"; o.Dialect = "vllm"; });
        await using var gateway = await GatewayHost.StartAsync(DialectCostTests.Config(simulator, "vllm"));
        using var http = gateway.HttpClient();
        using var response = await http.PostAsync("/v1/chat/completions", Json(SecondTurn));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var sent = Assert.Single(simulator.State.Received).Body;
        Assert.Contains("\"reasoning_content\":\"Two and two make four.\"", sent, StringComparison.Ordinal);
        Assert.Contains("\"reasoning_content\":\"last member first\"", sent, StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
