using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Tests.Configuration;

/// <summary>Prompt-cache writes (Anthropic <c>cache_creation_input_tokens</c>) are billed at their own price, else at the input price.</summary>
public sealed class CacheWritePriceTests
{
    [Fact]
    public void Cache_writes_cost_the_cache_write_price_and_cache_reads_the_cached_price()
    {
        var usage = new TokenUsage(PromptTokens: 1000, CachedPromptTokens: 200, CompletionTokens: 100, ReasoningTokens: 0, CacheWritePromptTokens: 300);

        Assert.Equal(0.004185m, new ModelPrice(3m, 0.3m, 15m, CacheWriteInputPerMillion: 3.75m).CostOf(usage));
        Assert.Equal(0.003960m, new ModelPrice(3m, 0.3m, 15m).CostOf(usage));
    }
}
