using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using ModelGateway.Admin;
using ModelGateway.Configuration;

namespace ModelGateway.Benchmarks;

/// <summary>
/// The CPU side of one admin change on a large configuration (10 providers, 200 deployments, 50 rules, 20 aliases):
/// the edited document parsed into options, validated by <see cref="GatewayConfigBuilder.TryBuild"/>, written
/// back canonically and diffed for the audit log; and the new snapshot every replica builds from it.
/// Not a request path: the point is that a change costs milliseconds, so a replica applies one well within a second.
/// </summary>
[MemoryDiagnoser]
public class AdminChangeBenchmarks
{
    private JsonObject _before = null!;
    private JsonObject _after = null!;
    private GatewayConfig _config = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new GatewayOptions();
        for (var p = 0; p < 10; p++)
        {
            options.Providers[$"p{p}"] = new ProviderOptions { Kind = "openai", BaseUrl = $"http://10.0.0.{p}:8000/v1", Trust = "self-hosted", Region = "eu" };
        }

        for (var d = 0; d < 200; d++)
        {
            options.Deployments[$"d{d}"] = new DeploymentOptions
            {
                Provider = $"p{d % 10}",
                Models = { $"m{d % 40}" },
                Price = new PriceOptions { InputPerMillion = 0.1m * (d + 1), OutputPerMillion = 0.3m * (d + 1) },
                Capabilities = { "chat", "tools" },
                Priority = d,
            };
        }

        for (var a = 0; a < 20; a++)
        {
            options.Aliases[$"alias{a}"] = $"m{a}";
        }

        for (var r = 0; r < 50; r++)
        {
            options.Routes[$"r{r}"] = new ModelGateway.Routing.RouteOptions { Order = r, Match = { Models = { $"m{r % 40}" } }, Deployments = { $"d{r}", $"d{r + 40}" } };
        }

        _before = ConfigDocument.FromOptions(options);
        _after = (JsonObject)_before.DeepClone();
        _after["deployments"]!["d7"]!["price"]!["outputPerMillion"] = 0.25m;
        _config = ValidateAndDiff().Config!;
    }

    [Benchmark]
    public (GatewayConfig? Config, int Changes) ValidateAndDiff()
    {
        var errors = new List<string>();
        var options = ConfigDocument.ToOptions<GatewayOptions>(_after, "", errors)!;
        var config = GatewayConfigBuilder.TryBuild(options, _ => null, errors);
        var canonical = ConfigDocument.FromOptions(options);
        return (config, ConfigDiff.Compute(_before, canonical).Count);
    }

    [Benchmark]
    public GatewaySnapshot BuildSnapshot() => new(_config, 2, DateTimeOffset.UnixEpoch);
}
