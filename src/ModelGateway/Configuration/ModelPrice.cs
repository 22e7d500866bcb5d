using ModelGateway.Requests;

namespace ModelGateway.Configuration;

/// <summary>USD per million tokens. Cached input falls back to the input price when a provider has no discount.</summary>
public readonly record struct ModelPrice(decimal InputPerMillion, decimal CachedInputPerMillion, decimal OutputPerMillion)
{
    private const decimal PerMillion = 1_000_000m;

    /// <summary>The cost of one request's usage. Cached tokens are part of the prompt and billed at the cached rate.</summary>
    public decimal CostOf(TokenUsage usage)
    {
        var cached = Math.Min(usage.CachedPromptTokens, usage.PromptTokens);
        var uncached = usage.PromptTokens - cached;
        return ((uncached * InputPerMillion) + (cached * CachedInputPerMillion) + (usage.CompletionTokens * OutputPerMillion)) / PerMillion;
    }
}
