using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using static ModelGateway.Tests.Experiments.ExperimentTestConfig;

namespace ModelGateway.Tests.Experiments;

/// <summary>
/// Shadowing requests that came in as Anthropic Messages or the Responses API: the live answer is read in the
/// client's protocol (whole or streamed), the candidates answer in the canonical form, and the tool checks come out
/// exact: a candidate that always picks the wrong tool agrees never, a faithful one always.
/// </summary>
public sealed class ProtocolShadowTests
{
    [Theory]
    [InlineData("messages", false)]
    [InlineData("messages", true)]
    [InlineData("responses", false)]
    [InlineData("responses", true)]
    public async Task Tool_agreement_is_read_from_live_answers_in_the_clients_protocol(string protocol, bool stream)
    {
        await using var sim = await SimulatorHost.StartAsync(o => o.Profiles["wrong-model"] = new AnswerProfile { WrongToolShare = 1 });
        var config = Gateway(sim)
            .WithDeployment("faithful", "local", ["faithful"], upstreamModel: "faithful-model", input: 0.1m, output: 0.2m)
            .WithDeployment("wrong", "local", ["wrong"], upstreamModel: "wrong-model", input: 0.1m, output: 0.2m)
            .WithExperiment("protocols", ["faithful", "wrong"]);
        ((JsonObject)config["Experiments"]!["protocols"]!["Match"]!)["Protocols"] = new JsonArray(protocol);
        var (gateway, admin) = await StartAsync(config);
        await using var _ = gateway;
        using var __ = admin;
        using var http = gateway.HttpClient();

        const int Requests = 6;
        for (var i = 0; i < Requests; i++)
        {
            var prompt = "Weather please, case " + i.ToString(CultureInfo.InvariantCulture);
            using var response = await http.PostAsync(protocol == "messages" ? "/v1/messages" : "/v1/responses", Body(protocol, prompt, stream));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        }

        // A chat completions request does not match an experiment for another protocol.
        using (var chat = await http.PostAsync("/v1/chat/completions", Chat("not shadowed", tools: true)))
        {
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        }

        var report = await ReportAsync(admin, "protocols", 2 * Requests);
        Assert.Equal(2 * Requests, report["pairs"]!.GetValue<int>());
        var faithful = Candidate(report, "faithful");
        var wrong = Candidate(report, "wrong");
        Assert.Equal(Requests, faithful["toolCalls"]!["expected"]!.GetValue<int>());
        Assert.Equal(1.0, Rate(faithful, "toolCalls.sameFunction.rate"));
        Assert.Equal(1.0, Rate(faithful, "toolCalls.argumentsEqual.rate"));
        Assert.Equal(Requests, wrong["toolCalls"]!["expected"]!.GetValue<int>());
        Assert.Equal(0.0, Rate(wrong, "toolCalls.sameFunction.rate"));
        Assert.Equal(1.0, Rate(wrong, "toolCalls.argumentsValid.rate"));
        Assert.Equal(stream ? Requests : 0, faithful["timeToFirstTokenMs"]!["streamedPairs"]!.GetValue<int>());
    }

    private static StringContent Body(string protocol, string prompt, bool stream)
    {
        var tools = JsonNode.Parse(Tools)!.AsArray();
        JsonObject body;
        if (protocol == "messages")
        {
            body = new JsonObject
            {
                ["model"] = Model,
                ["max_tokens"] = 256,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
                ["tools"] = new JsonArray([.. tools.Select(t => (JsonNode)new JsonObject
                {
                    ["name"] = t!["function"]!["name"]!.GetValue<string>(),
                    ["input_schema"] = t["function"]!["parameters"]!.DeepClone(),
                })]),
            };
        }
        else
        {
            body = new JsonObject
            {
                ["model"] = Model,
                ["input"] = prompt,
                ["tools"] = new JsonArray([.. tools.Select(t => (JsonNode)new JsonObject
                {
                    ["type"] = "function",
                    ["name"] = t!["function"]!["name"]!.GetValue<string>(),
                    ["parameters"] = t["function"]!["parameters"]!.DeepClone(),
                })]),
            };
        }

        if (stream)
        {
            body["stream"] = true;
        }

        return new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
    }
}
