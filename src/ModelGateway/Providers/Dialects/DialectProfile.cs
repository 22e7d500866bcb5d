using ModelGateway.Configuration;

namespace ModelGateway.Providers.Dialects;

/// <summary>What the gateway knows about one dialect of the OpenAI format (sources in docs/providers.md).</summary>
internal sealed record DialectProfile
{
    public required ProviderDialect Dialect { get; init; }

    /// <summary>Where the host reports cached prompt tokens besides <c>prompt_tokens_details.cached_tokens</c>.</summary>
    public UsageFields UsageFields { get; init; }

    /// <summary>The message field carrying reasoning text (<c>reasoning_content</c> or <c>reasoning</c>); null when the host returns none.</summary>
    public string? ReasoningField { get; init; }

    /// <summary>
    /// Remove the reasoning field from assistant messages without tool calls before the request goes up (DeepSeek
    /// refuses it there; a tool-call turn's reasoning must be passed back, so it stays).
    /// </summary>
    public bool StripsReasoningFromHistory { get; init; }

    /// <summary>Where a self-hosted server publishes its queue and KV-cache use; null when it publishes none.</summary>
    public LoadGauges? Load { get; init; }

    public string Name => DialectNames.Name(Dialect);
}
