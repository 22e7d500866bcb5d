using ModelGateway.Configuration;
using ModelGateway.Routing;

namespace ModelGateway.Tests.Routing;

public sealed class RoutingConfigTests
{
    private static GatewayOptions Options() => new()
    {
        Providers = { ["local"] = new ProviderOptions { Kind = "openai", BaseUrl = "http://127.0.0.1:8000/v1", Trust = "self-hosted" } },
        Deployments =
        {
            ["qwen"] = new DeploymentOptions { Provider = "local", Models = { "qwen3" }, Price = new PriceOptions { InputPerMillion = 0, OutputPerMillion = 0 } },
        },
        Keys = { ["k"] = new ClientKeyOptions { Sha256 = new string('a', 64) } },
    };

    [Fact]
    public void Rules_are_built_in_order_with_their_constraints()
    {
        var options = Options();
        options.Routes["late"] = new RouteOptions { Order = 20, Strategy = "cheapest" };
        options.Routes["early"] = new RouteOptions
        {
            Order = 10,
            Match = { Models = { "auto" }, Keys = { "k" }, Sensitivity = { "restricted" }, Needs = { "tools" } },
            Deployments = { "qwen" },
            Constraints = { MinTrust = "contracted", Regions = { "eu" }, MaxPricePerMillion = 2 },
            Strategy = "weighted",
        };

        var config = GatewayConfigBuilder.Build(options, _ => null);

        Assert.Equal(["early", "late"], config.Routing.Rules.Select(r => r.Id).ToArray());
        var early = config.Routing.Rules[0];
        Assert.Equal(RouteStrategy.Weighted, early.Strategy);
        Assert.Equal(TrustTier.Contracted, early.MinTrust);
        Assert.Equal(ModelCapabilities.Tools, early.Needs);
    }

    [Fact]
    public void Every_routing_problem_is_reported_with_its_path()
    {
        var options = Options();
        options.Routes["bad"] = new RouteOptions
        {
            Match = { Models = { "nope" }, Keys = { "ghost" }, Sensitivity = { "secret" }, Needs = { "telepathy" } },
            Constraints = { MinTrust = "friends" },
            Strategy = "random",
        };
        options.Routes["ghost-deployment"] = new RouteOptions { Deployments = { "missing" } };
        options.Fallback.MaxAttempts = 0;

        var ex = Assert.Throws<GatewayConfigException>(() => GatewayConfigBuilder.Build(options, _ => null));

        foreach (var expected in new[]
                 {
                     "Routes:bad:Match:Models", "Routes:bad:Match:Keys", "Routes:bad:Match:Sensitivity", "Routes:bad:Match:Needs",
                     "Routes:bad:Constraints:MinTrust", "Routes:bad:Strategy", "Routes:ghost-deployment:Deployments", "Fallback:MaxAttempts",
                 })
        {
            Assert.Contains(ex.Errors, e => e.StartsWith(expected, StringComparison.Ordinal));
        }
    }
}
