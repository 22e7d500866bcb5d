namespace ModelGateway.Requests;

/// <summary>
/// Tokens one request used, in OpenAI's terms: cached tokens are part of the prompt, reasoning tokens part of the completion.
/// </summary>
public readonly record struct TokenUsage(int PromptTokens, int CachedPromptTokens, int CompletionTokens, int ReasoningTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
