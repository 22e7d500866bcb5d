using System.Text.Json.Nodes;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Routing;

/// <summary>
/// Cost-based strategies estimate every candidate's output the same way until each has a history: a dearer
/// deployment that happened to be tried first (small observed answers) must not starve a cheaper untried one.
/// </summary>
public sealed class ExpectedOutputTests
{
    public static readonly TheoryData<string> CostStrategies = new() { "cheapest", "weighted" };

    [Theory]
    [MemberData(nameof(CostStrategies))]
    public async Task A_cheaper_untried_deployment_wins_over_a_dearer_one_with_history(string strategy)
    {
        await using var dear = await SimulatorHost.StartAsync(o => o.Name = "dear");
        await using var cheap = await SimulatorHost.StartAsync(o => o.Name = "cheap");
        var route = new JsonObject { ["Match"] = new JsonObject { ["Models"] = new JsonArray("chat") }, ["Strategy"] = strategy };
        if (strategy == "weighted")
        {
            route["Weights"] = new JsonObject { ["Cost"] = 1, ["Latency"] = 0, ["Priority"] = 0 };
            route["Spread"] = false;
        }

        var config = TestConfig.Gateway()
            .WithProvider("dear", dear.BaseUrl + "/v1")
            .WithProvider("cheap", cheap.BaseUrl + "/v1")
            .WithDeployment("dear-chat", "dear", ["chat"], input: 5m, output: 5m)
            .WithDeployment("cheap-chat", "cheap", ["chat"], input: 1m, output: 1m)
            .WithRoute("cost", route);
        await using var gateway = await GatewayHost.StartAsync(config);

        // The cheap deployment fails its first request, so the dear one serves it and gets an output history (8 tokens).
        cheap.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 503 });
        using (var first = await gateway.ChatAsync("chat", "hello"))
        {
            Assert.Equal("dear-chat", first.Header("x-gateway-deployment"));
        }

        // Scored with its 8 observed tokens against the untried one's default 256, the 5x dearer one would win forever.
        var explanation = await gateway.ExplainAsync("chat", "hello");
        var expected = explanation.GetProperty("candidates").EnumerateArray()
            .Select(c => c.GetProperty("score").GetProperty("expected_output_tokens").GetInt32()).Distinct().ToArray();
        Assert.Equal([256], expected);
        for (var i = 0; i < 3; i++)
        {
            using var next = await gateway.ChatAsync("chat", "hello");
            Assert.Equal("cheap-chat", next.Header("x-gateway-deployment"));
        }

        // Once both have a history, each is scored with its own average.
        var observed = await gateway.ExplainAsync("chat", "hello");
        Assert.All(observed.GetProperty("candidates").EnumerateArray(), c => Assert.Equal(8, c.GetProperty("score").GetProperty("expected_output_tokens").GetInt32()));
        Assert.Equal("cheap-chat", observed.GetProperty("order")[0].GetString());
    }
}
