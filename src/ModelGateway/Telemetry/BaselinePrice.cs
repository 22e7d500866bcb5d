using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Telemetry;

/// <summary>
/// What the same tokens would have cost on a named closed model. Savings are that cost minus what the request
/// really cost: negative when a deployment is dearer than the baseline, and reported as such.
/// </summary>
internal sealed record BaselinePrice(string Name, ModelPrice Price)
{
    public decimal CostOf(TokenUsage usage) => Price.CostOf(usage);

    public decimal SavingsOf(TokenUsage usage, decimal actualCostUsd) => Price.CostOf(usage) - actualCostUsd;

    /// <summary>The configured baseline, or null when none is set (validated beforehand).</summary>
    public static BaselinePrice? From(BaselinePriceOptions options)
    {
        if (options.Name is not { Length: > 0 } name || options.InputPerMillion is not { } input || options.OutputPerMillion is not { } output)
        {
            return null;
        }

        return new BaselinePrice(name, new ModelPrice(input, options.CachedInputPerMillion ?? input, output));
    }
}
