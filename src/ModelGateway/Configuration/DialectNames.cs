using System.Collections.Frozen;

namespace ModelGateway.Configuration;

/// <summary>The configuration spellings of <see cref="ProviderDialect"/>, and the default a provider gets from its host.</summary>
internal static class DialectNames
{
    private static readonly FrozenDictionary<string, ProviderDialect> ByName = new Dictionary<string, ProviderDialect>(StringComparer.Ordinal)
    {
        ["openai"] = ProviderDialect.OpenAi,
        ["deepseek"] = ProviderDialect.DeepSeek,
        ["dashscope"] = ProviderDialect.DashScope,
        ["moonshot"] = ProviderDialect.Moonshot,
        ["zhipu"] = ProviderDialect.Zhipu,
        ["together"] = ProviderDialect.Together,
        ["fireworks"] = ProviderDialect.Fireworks,
        ["groq"] = ProviderDialect.Groq,
        ["vllm"] = ProviderDialect.Vllm,
        ["sglang"] = ProviderDialect.Sglang,
        ["ollama"] = ProviderDialect.Ollama,
        ["llamacpp"] = ProviderDialect.LlamaCpp,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // The public hosts whose dialect is certain from the address alone; self-hosted servers must say theirs.
    private static readonly (string HostSuffix, ProviderDialect Dialect)[] KnownHosts =
    [
        ("api.deepseek.com", ProviderDialect.DeepSeek),
        ("dashscope.aliyuncs.com", ProviderDialect.DashScope),
        ("dashscope-intl.aliyuncs.com", ProviderDialect.DashScope),
        ("api.moonshot.ai", ProviderDialect.Moonshot),
        ("api.moonshot.cn", ProviderDialect.Moonshot),
        ("open.bigmodel.cn", ProviderDialect.Zhipu),
        ("api.z.ai", ProviderDialect.Zhipu),
        ("api.together.xyz", ProviderDialect.Together),
        ("api.fireworks.ai", ProviderDialect.Fireworks),
        ("api.groq.com", ProviderDialect.Groq),
    ];

    public static string Expected => string.Join(", ", ByName.Keys.Order(StringComparer.Ordinal));

    public static bool TryParse(string? value, out ProviderDialect dialect)
    {
        dialect = default;
        return value is not null && ByName.TryGetValue(value, out dialect);
    }

    public static string Name(ProviderDialect dialect) => dialect switch
    {
        ProviderDialect.OpenAi => "openai",
        ProviderDialect.DeepSeek => "deepseek",
        ProviderDialect.DashScope => "dashscope",
        ProviderDialect.Moonshot => "moonshot",
        ProviderDialect.Zhipu => "zhipu",
        ProviderDialect.Together => "together",
        ProviderDialect.Fireworks => "fireworks",
        ProviderDialect.Groq => "groq",
        ProviderDialect.Vllm => "vllm",
        ProviderDialect.Sglang => "sglang",
        ProviderDialect.Ollama => "ollama",
        ProviderDialect.LlamaCpp => "llamacpp",
        _ => throw new ArgumentOutOfRangeException(nameof(dialect)),
    };

    /// <summary>
    /// The dialect of a provider that does not name one: a known public host's own, else <c>openai</c> (every
    /// other kind speaks its own format, so for them the dialect is unused).
    /// </summary>
    public static ProviderDialect Default(ProviderKind kind, Uri? baseUrl)
    {
        if (kind != ProviderKind.OpenAi || baseUrl is null)
        {
            return ProviderDialect.OpenAi;
        }

        foreach (var (suffix, dialect) in KnownHosts)
        {
            if (baseUrl.Host.Equals(suffix, StringComparison.OrdinalIgnoreCase)
                || baseUrl.Host.EndsWith("." + suffix, StringComparison.OrdinalIgnoreCase))
            {
                return dialect;
            }
        }

        return ProviderDialect.OpenAi;
    }
}
