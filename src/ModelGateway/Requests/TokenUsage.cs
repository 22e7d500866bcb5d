namespace ModelGateway.Requests;

/// <summary>
/// Tokens one request used, in OpenAI's terms: cached tokens are part of the prompt, reasoning tokens part of the completion.
/// Cache-write tokens (Anthropic's <c>cache_creation_input_tokens</c>) are part of the prompt too, billed at the cache-write price.
/// </summary>
public readonly record struct TokenUsage(int PromptTokens, int CachedPromptTokens, int CompletionTokens, int ReasoningTokens, int CacheWritePromptTokens = 0)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
