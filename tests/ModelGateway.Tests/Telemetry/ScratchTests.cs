using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Chat;
using Xunit.Abstractions;

namespace ModelGateway.Tests.Telemetry;

public sealed class ScratchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Scratch()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var config = TestConfig.Gateway().WithProvider("sim", sim.BaseUrl + "/v1").WithDeployment("d1", "sim", ["m1"], input: 10m, output: 20m);
        config["Telemetry"] = new JsonObject { ["Prometheus"] = new JsonObject { ["Enabled"] = true }, ["Baseline"] = new JsonObject { ["Name"] = "gpt-4.1", ["InputPerMillion"] = 2, ["OutputPerMillion"] = 8 } };
        await using var gw = await GatewayHost.StartAsync(config);
        var chat = gw.OpenAiClient().GetChatClient("m1");
        await chat.CompleteChatAsync([new UserChatMessage("hi")]);
        await foreach (var u in chat.CompleteChatStreamingAsync([new UserChatMessage("hi")])) { _ = u; }
        var text = await gw.HttpClient(null).GetStringAsync("/metrics");
        output.WriteLine(text);
    }
}
