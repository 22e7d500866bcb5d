using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Quotas;

namespace ModelGateway.Tests.Routing;

/// <summary>Rules match on the caller's team, and a team's default sensitivity keeps its traffic on trusted tiers.</summary>
public sealed class TeamRoutingTests : IAsyncLifetime
{
    private const string GrowthKey = "mg-growth-key";
    private const string LoneKey = "mg-lone-key";
    private SimulatorHost _local = null!;
    private SimulatorHost _cloud = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _local = await SimulatorHost.StartAsync(o => o.Name = "local");
        _cloud = await SimulatorHost.StartAsync(o => o.Name = "cloud");
        var config = TestConfig.Gateway()
            .WithProvider("local", _local.BaseUrl + "/v1", trust: "self-hosted")
            .WithProvider("cloud", _cloud.BaseUrl + "/v1", trust: "public")
            .WithDeployment("local-chat", "local", ["chat"], input: 3m, output: 6m)
            .WithDeployment("cloud-chat", "cloud", ["chat"], input: 0.1m, output: 0.2m)
            .WithTeam("legal", [])
            .WithTeam("growth", [])
            .WithTestKey(team: "legal")
            .WithKey("growth", GrowthKey, new JsonObject { ["Team"] = "growth" })
            .WithKey("lone", LoneKey, [])
            .WithRoute("growth-pinned", new JsonObject
            {
                ["Order"] = 0,
                ["Match"] = new JsonObject { ["Teams"] = new JsonArray("growth") },
                ["Deployments"] = new JsonArray("local-chat"),
            })
            .WithRoute("cheap", new JsonObject { ["Order"] = 10, ["Strategy"] = "cheapest" });
        config["Sensitivity"] = new JsonObject { ["TeamDefaults"] = new JsonObject { ["legal"] = "confidential" } };
        _gateway = await GatewayHost.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _local.DisposeAsync();
        await _cloud.DisposeAsync();
    }

    [Theory]
    [InlineData(TestConfig.ClientKey, "local-chat")] // team legal: confidential by default, so self-hosted only
    [InlineData(GrowthKey, "local-chat")]            // team growth: its own rule
    [InlineData(LoneKey, "cloud-chat")]              // no team: the cheapest deployment
    public async Task The_callers_team_decides_the_route(string key, string expectedDeployment)
    {
        using var http = _gateway.HttpClient(key);

        using var response = await http.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"chat","messages":[{"role":"user","content":"What is the capital of France?"}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expectedDeployment, response.Header("x-gateway-deployment"));
        Assert.Equal(expectedDeployment == "cloud-chat" ? 0 : 1, _local.ChatRequests());
    }

    [Fact]
    public async Task Unknown_teams_in_rules_and_defaults_are_configuration_errors()
    {
        var config = TestConfig.Gateway()
            .WithProvider("local", "http://127.0.0.1:9/v1")
            .WithDeployment("local-chat", "local", ["chat"])
            .WithRoute("r", new JsonObject { ["Match"] = new JsonObject { ["Teams"] = new JsonArray("ghosts") } });
        config["Sensitivity"] = new JsonObject { ["TeamDefaults"] = new JsonObject { ["phantoms"] = "restricted" } };

        var ex = await Assert.ThrowsAsync<ModelGateway.Configuration.GatewayConfigException>(() => GatewayHost.StartAsync(config));

        Assert.Contains(ex.Errors, e => e.Contains("Match:Teams 'ghosts' is not a configured team", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("Sensitivity:TeamDefaults:phantoms is not a configured team", StringComparison.Ordinal));
    }
}
