namespace ModelGateway.Configuration;

public enum ProviderKind
{
    /// <summary>Any server that speaks the OpenAI wire format: OpenAI, vLLM, SGLang, Ollama, llama.cpp, neutral hosts.</summary>
    OpenAi,
    Anthropic,
    Gemini,
    AzureOpenAi,
}
