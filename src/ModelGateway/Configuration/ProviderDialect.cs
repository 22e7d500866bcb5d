namespace ModelGateway.Configuration;

/// <summary>
/// Which flavour of the OpenAI wire format an <see cref="ProviderKind.OpenAi"/> upstream speaks: where it reports
/// cache hits and reasoning, what it refuses in a request, and where a self-hosted server publishes its load.
/// See docs/providers.md ("Dialects").
/// </summary>
public enum ProviderDialect
{
    OpenAi,
    DeepSeek,
    DashScope,
    Moonshot,
    Zhipu,
    Together,
    Fireworks,
    Groq,
    Vllm,
    Sglang,
    Ollama,
    LlamaCpp,
}
