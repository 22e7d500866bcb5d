using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelGateway.Routing;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Routing;

/// <summary>The strategies against real simulators acting as providers of different prices and speeds.</summary>
public sealed class StrategyTests : IAsyncLifetime
{
    private readonly List<SimulatorHost> _simulators = [];
    private GatewayHost? _gateway;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        foreach (var simulator in _simulators)
        {
            await simulator.DisposeAsync();
        }
    }

    [Fact]
    public async Task Cheapest_picks_the_cheapest_deployment_that_can_serve_the_request()
    {
        var (budget, mid, premium) = (await Simulator("budget"), await Simulator("mid"), await Simulator("premium"));
        var config = TestConfig.Gateway()
            .WithProvider("budget", budget.BaseUrl + "/v1", trust: "public")
            .WithProvider("mid", mid.BaseUrl + "/v1", trust: "contracted")
            .WithProvider("premium", premium.BaseUrl + "/v1", trust: "public")
            .WithDeployment("budget-chat", "budget", ["chat"], input: 0.05m, output: 0.1m, capabilities: ["chat"])
            .WithDeployment("mid-chat", "mid", ["chat"], input: 0.5m, output: 1m)
            .WithDeployment("premium-chat", "premium", ["chat"], input: 5m, output: 15m, priority: -1)
            .WithRoute("cost", new JsonObject { ["Match"] = new JsonObject { ["Models"] = new JsonArray("chat") }, ["Strategy"] = "cheapest" });
        _gateway = await GatewayHost.StartAsync(config);

        var tools = new JsonObject
        {
            ["tools"] = new JsonArray(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = "lookup", ["parameters"] = new JsonObject { ["type"] = "object" } },
            }),
        };
        using var plain = await _gateway.ChatAsync("chat", "hello");
        using var withTools = await _gateway.ChatAsync("chat", "look it up", extra: tools);

        Assert.Equal("budget-chat", plain.Header("x-gateway-deployment"));
        Assert.Equal("mid-chat", withTools.Header("x-gateway-deployment"));
        Assert.Equal(0, premium.ChatRequests());

        var explanation = await _gateway.ExplainAsync("chat", "hello");
        Assert.Equal(["budget-chat", "mid-chat", "premium-chat"], explanation.GetProperty("order").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Fact]
    public async Task Fastest_shifts_traffic_away_from_a_deployment_that_becomes_slow()
    {
        var (a, b) = (await Simulator("alpha"), await Simulator("beta"));
        var config = TestConfig.Gateway()
            .WithProvider("alpha", a.BaseUrl + "/v1")
            .WithProvider("beta", b.BaseUrl + "/v1")
            .WithDeployment("alpha-chat", "alpha", ["chat"])
            .WithDeployment("beta-chat", "beta", ["chat"])
            .WithRoute("speed", new JsonObject { ["Strategy"] = "fastest" });
        _gateway = await GatewayHost.StartAsync(config);

        // Phase 1: beta is slow. Each deployment is tried once (no history counts as fast), then alpha wins.
        b.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Latency, LatencyMs = 150, Count = 100 });
        var phase1 = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await _gateway.ChatAsync("chat", "hi");
            phase1.Add(response.Header("x-gateway-deployment"));
        }

        Assert.Equal(["alpha-chat", "alpha-chat", "alpha-chat"], phase1[^3..]);

        // Phase 2: alpha becomes much slower; its average rises past beta's and traffic moves to beta.
        b.State.ClearFaults();
        a.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Latency, LatencyMs = 800, Count = 100 });
        var phase2 = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await _gateway.ChatAsync("chat", "hi");
            phase2.Add(response.Header("x-gateway-deployment"));
        }

        Assert.Equal(["beta-chat", "beta-chat", "beta-chat"], phase2[^3..]);
        Assert.True(phase2.Count(d => d == "alpha-chat") <= 2, string.Join(",", phase2));
        a.State.ClearFaults();
    }

    [Fact]
    public async Task Weighted_spreading_is_repeatable_with_the_same_seed_and_spreads_over_candidates()
    {
        var sim = await Simulator("w");
        var config = TestConfig.Gateway()
            .WithProvider("w", sim.BaseUrl + "/v1")
            .WithDeployment("cheap", "w", ["chat"], input: 0.1m, output: 0.2m)
            .WithDeployment("dear", "w", ["chat"], input: 1m, output: 2m)
            .WithDeployment("mid", "w", ["chat"], input: 0.5m, output: 1m)
            .WithRoute("mix", new JsonObject
            {
                ["Strategy"] = "weighted",
                ["Weights"] = new JsonObject { ["Cost"] = 1, ["Latency"] = 0, ["Priority"] = 0 },
            });

        async Task<List<string>> FirstPicks(int seed)
        {
            await using var gateway = await GatewayHost.StartAsync(config, b => b.Services.AddSingleton<IRoutingRandom>(new SeededRoutingRandom(seed)));
            var picks = new List<string>();
            for (var i = 0; i < 40; i++)
            {
                var explanation = await gateway.ExplainAsync("chat", "hello");
                picks.Add(explanation.GetProperty("order")[0].GetString()!);
            }

            return picks;
        }

        var run1 = await FirstPicks(7);
        var run2 = await FirstPicks(7);

        Assert.Equal(run1, run2);
        Assert.Contains("mid", run1);
        Assert.True(run1.Count(p => p == "cheap") > run1.Count(p => p == "mid"), string.Join(",", run1));
        Assert.True(run1.Count(p => p == "mid") > run1.Count(p => p == "dear"), string.Join(",", run1));
    }

    private async Task<SimulatorHost> Simulator(string name)
    {
        var simulator = await SimulatorHost.StartAsync(o => o.Name = name);
        _simulators.Add(simulator);
        return simulator;
    }
}
