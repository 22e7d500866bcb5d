namespace ModelGateway.Accounting;

/// <summary>Summed token counts, in OpenAI's terms (cached is part of prompt, reasoning part of completion).</summary>
public readonly record struct TokenTotals(long Prompt, long Cached, long Completion, long Reasoning)
{
    public long Total => Prompt + Completion;
}
