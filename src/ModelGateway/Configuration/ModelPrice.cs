using ModelGateway.Requests;

namespace ModelGateway.Configuration;

/// <summary>
/// USD per million tokens. Cached input falls back to the input price when a provider has no discount; cache writes
/// (Anthropic prompt caching) fall back to the input price when no cache-write price is set.
/// </summary>
public readonly record struct ModelPrice(decimal InputPerMillion, decimal CachedInputPerMillion, decimal OutputPerMillion, decimal? CacheWriteInputPerMillion = null)
{
    private const decimal PerMillion = 1_000_000m;

    /// <summary>
    /// The cost of one request's usage. Cached and cache-write tokens are part of the prompt, billed at their own
    /// rates; the rest of the prompt at the input rate.
    /// </summary>
    public decimal CostOf(TokenUsage usage)
    {
        var cached = Math.Min(usage.CachedPromptTokens, usage.PromptTokens);
        var written = Math.Min(usage.CacheWritePromptTokens, usage.PromptTokens - cached);
        var uncached = usage.PromptTokens - cached - written;
        return ((uncached * InputPerMillion) + (cached * CachedInputPerMillion) + (written * (CacheWriteInputPerMillion ?? InputPerMillion))
            + (usage.CompletionTokens * OutputPerMillion)) / PerMillion;
    }
}
