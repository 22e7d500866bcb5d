namespace ModelGateway.Configuration;

[Flags]
public enum ModelCapabilities
{
    None = 0,
    Chat = 1,
    Tools = 2,
    Vision = 4,
    JsonSchema = 8,
    Embeddings = 16,

    /// <summary>Speaks the OpenAI Responses API itself: Responses requests pass through instead of being translated.</summary>
    Responses = 32,

    /// <summary>Serves the legacy OpenAI text completions endpoint (<c>/v1/completions</c>): vLLM, SGLang, llama.cpp, OpenAI's instruct models.</summary>
    Completions = 64,
}
