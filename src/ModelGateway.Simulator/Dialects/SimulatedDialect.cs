namespace ModelGateway.Simulator.Dialects;

/// <summary>How the simulated host writes usage.</summary>
internal enum UsageStyle
{
    /// <summary>OpenAI's <c>prompt_tokens_details.cached_tokens</c>.</summary>
    OpenAi,

    /// <summary>DeepSeek's top-level <c>prompt_cache_hit_tokens</c> and <c>prompt_cache_miss_tokens</c>, no details object.</summary>
    DeepSeek,

    /// <summary>Moonshot's top-level <c>cached_tokens</c>, no details object.</summary>
    Moonshot,
}

/// <summary>The load metrics format a simulated self-hosted server publishes at <c>GET /metrics</c>.</summary>
internal enum MetricsFormat
{
    None,
    Vllm,
    Sglang,
    LlamaCpp,
}

/// <summary>
/// One host's flavour of the OpenAI format, as the simulator plays it (<c>Simulator:Dialect</c>): its usage fields,
/// its reasoning field, what it refuses and its metrics format. The facts and sources are in docs/providers.md.
/// </summary>
internal sealed record SimulatedDialect(string Name, UsageStyle Usage, string? ReasoningField, bool RejectsReasoningHistory, MetricsFormat Metrics)
{
    public static readonly IReadOnlyDictionary<string, SimulatedDialect> All = new[]
    {
        new SimulatedDialect("openai", UsageStyle.OpenAi, null, false, MetricsFormat.None),
        new SimulatedDialect("deepseek", UsageStyle.DeepSeek, "reasoning_content", true, MetricsFormat.None),
        new SimulatedDialect("dashscope", UsageStyle.OpenAi, "reasoning_content", false, MetricsFormat.None),
        new SimulatedDialect("moonshot", UsageStyle.Moonshot, "reasoning_content", false, MetricsFormat.None),
        new SimulatedDialect("zhipu", UsageStyle.OpenAi, "reasoning_content", false, MetricsFormat.None),
        new SimulatedDialect("together", UsageStyle.OpenAi, "reasoning", false, MetricsFormat.None),
        new SimulatedDialect("fireworks", UsageStyle.OpenAi, "reasoning_content", false, MetricsFormat.None),
        new SimulatedDialect("groq", UsageStyle.OpenAi, "reasoning", false, MetricsFormat.None),
        new SimulatedDialect("vllm", UsageStyle.OpenAi, "reasoning", false, MetricsFormat.Vllm),
        new SimulatedDialect("sglang", UsageStyle.OpenAi, "reasoning_content", false, MetricsFormat.Sglang),
        new SimulatedDialect("ollama", UsageStyle.OpenAi, "reasoning", false, MetricsFormat.None),
        new SimulatedDialect("llamacpp", UsageStyle.OpenAi, "reasoning_content", false, MetricsFormat.LlamaCpp),
    }.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public static SimulatedDialect OpenAi => All["openai"];

    /// <summary>The reasoning text of one choice: one word per reasoning token, so the two agree.</summary>
    public static string ReasoningText(int tokens) =>
        string.Join(' ', Enumerable.Range(0, tokens).Select(i => ThinkingWords[i % ThinkingWords.Length]));

    private static readonly string[] ThinkingWords = ["sim", "thinks", "step", "by", "step", "about", "the", "question"];
}
