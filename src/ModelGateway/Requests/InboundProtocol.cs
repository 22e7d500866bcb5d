namespace ModelGateway.Requests;

/// <summary>
/// The wire protocol a client spoke at the front door. It decides how the request is parsed and how answers and
/// errors are rendered; an adapter passes bytes through when the deployment speaks the same protocol natively.
/// </summary>
public enum InboundProtocol
{
    OpenAiChatCompletions,
    OpenAiEmbeddings,

    /// <summary>Anthropic Messages (<c>POST /v1/messages</c>): Claude Code and the Anthropic SDKs.</summary>
    AnthropicMessages,

    /// <summary>The OpenAI Responses API (<c>POST /v1/responses</c>): Codex CLI and the Agents SDK.</summary>
    OpenAiResponses,

    /// <summary>OpenAI legacy text completions (<c>POST /v1/completions</c>): passed through to OpenAI-format deployments only.</summary>
    OpenAiCompletions,
}
