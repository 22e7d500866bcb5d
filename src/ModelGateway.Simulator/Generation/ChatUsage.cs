namespace ModelGateway.Simulator.Generation;

/// <summary>Token counts of a reply. <see cref="CompletionTokens"/> includes the reasoning tokens.</summary>
internal readonly record struct ChatUsage(int PromptTokens, int CompletionTokens, int CachedTokens, int ReasoningTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
