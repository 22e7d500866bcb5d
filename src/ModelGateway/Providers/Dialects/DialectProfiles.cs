using ModelGateway.Configuration;

namespace ModelGateway.Providers.Dialects;

/// <summary>The profile of every dialect; the facts and their sources are listed in docs/providers.md.</summary>
internal static class DialectProfiles
{
    private const string ReasoningContent = "reasoning_content";
    private const string Reasoning = "reasoning";

    private static readonly DialectProfile[] Profiles = Build();

    public static DialectProfile For(ProviderDialect dialect) => Profiles[(int)dialect];

    private static DialectProfile[] Build()
    {
        var all = new DialectProfile[Enum.GetValues<ProviderDialect>().Length];
        foreach (var dialect in Enum.GetValues<ProviderDialect>())
        {
            all[(int)dialect] = dialect switch
            {
                ProviderDialect.OpenAi => new DialectProfile { Dialect = dialect },
                ProviderDialect.DeepSeek => new DialectProfile
                {
                    Dialect = dialect,
                    UsageFields = UsageFields.PromptCacheHitTokens,
                    ReasoningField = ReasoningContent,
                    StripsReasoningFromHistory = true,
                },
                ProviderDialect.Moonshot => new DialectProfile
                {
                    Dialect = dialect,
                    UsageFields = UsageFields.TopLevelCachedTokens,
                    ReasoningField = ReasoningContent,
                },
                ProviderDialect.DashScope or ProviderDialect.Zhipu or ProviderDialect.Fireworks => new DialectProfile
                {
                    Dialect = dialect,
                    ReasoningField = ReasoningContent,
                },
                ProviderDialect.Together or ProviderDialect.Groq or ProviderDialect.Ollama => new DialectProfile
                {
                    Dialect = dialect,
                    ReasoningField = Reasoning,
                },
                ProviderDialect.Vllm => new DialectProfile { Dialect = dialect, ReasoningField = Reasoning, Load = LoadGauges.Vllm },
                ProviderDialect.Sglang => new DialectProfile { Dialect = dialect, ReasoningField = ReasoningContent, Load = LoadGauges.Sglang },
                ProviderDialect.LlamaCpp => new DialectProfile { Dialect = dialect, ReasoningField = ReasoningContent, Load = LoadGauges.LlamaCpp },
                _ => throw new InvalidOperationException($"No profile for dialect {dialect}."),
            };
        }

        return all;
    }
}
