namespace ModelGateway.Providers;

/// <summary>
/// Where an upstream reports cached prompt tokens beyond OpenAI's <c>prompt_tokens_details.cached_tokens</c>,
/// which is always read. Reasoning tokens are read from <c>completion_tokens_details.reasoning_tokens</c> for all.
/// </summary>
[Flags]
internal enum UsageFields
{
    Standard = 0,

    /// <summary>DeepSeek: <c>usage.prompt_cache_hit_tokens</c> (and <c>prompt_cache_miss_tokens</c>, the rest of the prompt).</summary>
    PromptCacheHitTokens = 1,

    /// <summary>Moonshot: <c>usage.cached_tokens</c> at the top of the usage object.</summary>
    TopLevelCachedTokens = 2,
}
