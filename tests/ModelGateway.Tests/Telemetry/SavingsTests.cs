using Microsoft.Extensions.Options;
using ModelGateway.Accounting;
using ModelGateway.Configuration;
using ModelGateway.Telemetry;
using ModelGateway.Requests;

namespace ModelGateway.Tests.Telemetry;

/// <summary>Savings are what the baseline would have charged for the same tokens minus what the request cost.</summary>
public sealed class SavingsTests
{
    private static readonly BaselinePrice Baseline = BaselinePrice.From(new BaselinePriceOptions
    {
        Name = "gpt-4.1",
        InputPerMillion = 2.00m,
        CachedInputPerMillion = 0.50m,
        OutputPerMillion = 8.00m,
    })!;

    [Fact]
    public void Savings_price_the_same_tokens_at_the_baseline_including_cached_input()
    {
        // 1M prompt tokens of which 400k cached, 250k completion tokens (reasoning is part of completion).
        var usage = new TokenUsage(1_000_000, 400_000, 250_000, 50_000);
        var selfHosted = new ModelPrice(0.10m, 0.05m, 0.30m);
        var actual = selfHosted.CostOf(usage);

        Assert.Equal(0.06m + 0.02m + 0.075m, actual);
        Assert.Equal(1.20m + 0.20m + 2.00m, Baseline.CostOf(usage));
        Assert.Equal(3.40m - 0.155m, Baseline.SavingsOf(usage, actual));
    }

    [Fact]
    public void A_deployment_dearer_than_the_baseline_has_negative_savings()
    {
        var usage = new TokenUsage(1_000, 0, 1_000, 0);
        var dearer = new ModelPrice(15m, 15m, 60m).CostOf(usage);

        Assert.True(Baseline.SavingsOf(usage, dearer) < 0);
        Assert.Equal(0.01m - 0.075m, Baseline.SavingsOf(usage, dearer));
    }

    [Fact]
    public void Cached_input_defaults_to_the_input_price_and_no_baseline_means_no_savings()
    {
        var noCachedPrice = BaselinePrice.From(new BaselinePriceOptions { Name = "b", InputPerMillion = 4m, OutputPerMillion = 8m })!;

        Assert.Equal(4m, noCachedPrice.Price.CachedInputPerMillion);
        Assert.Null(BaselinePrice.From(new BaselinePriceOptions()));
    }

    [Fact]
    public void Invalid_telemetry_settings_are_all_reported_with_their_paths()
    {
        var options = new TelemetryOptions
        {
            Prometheus = new PrometheusEndpointOptions { Path = "metrics", Port = 70000 },
            Otlp = new OtlpExporterSettings { Endpoint = "not a url", Protocol = "carrier-pigeon" },
            Baseline = new BaselinePriceOptions { InputPerMillion = -1m, OutputPerMillion = 2m },
        };

        var result = new TelemetryOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("ModelGateway:Telemetry:Prometheus:Path", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ModelGateway:Telemetry:Prometheus:Port", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ModelGateway:Telemetry:Otlp:Endpoint", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ModelGateway:Telemetry:Otlp:Protocol", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ModelGateway:Telemetry:Baseline:Name", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("must not be negative", StringComparison.Ordinal));
        Assert.Equal(ValidateOptionsResult.Success, new TelemetryOptionsValidator().Validate(null, new TelemetryOptions()));
    }
}
