using System.Collections.Frozen;
using ModelGateway.FrontDoor.Protocols.AnthropicMessages;

namespace ModelGateway.FrontDoor.Protocols;

/// <summary>
/// The inbound protocols the gateway serves, by path. Adding a protocol is adding its module here: the endpoint,
/// the error envelope of authentication failures and the metrics label all follow from it.
/// </summary>
internal static class InboundModules
{
    private static readonly FrozenDictionary<string, IInboundModule> ByPath = new Dictionary<string, IInboundModule>(StringComparer.OrdinalIgnoreCase)
    {
        ["/v1/chat/completions"] = OpenAiChatProtocol.Instance,
        ["/v1/embeddings"] = OpenAiEmbeddingsProtocol.Instance,
        [AnthropicMessagesProtocol.Path] = AnthropicMessagesProtocol.Instance,
        ["/v1/responses"] = Responses.ResponsesProtocol.Instance,
        [OpenAiCompletionsProtocol.Path] = OpenAiCompletionsProtocol.Instance,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    // Endpoints that are not inference requests but answer errors in a module's envelope.
    private static readonly FrozenDictionary<string, IInboundModule> EnvelopeByPath = new Dictionary<string, IInboundModule>(StringComparer.OrdinalIgnoreCase)
    {
        [AnthropicMessagesProtocol.CountTokensPath] = AnthropicMessagesProtocol.Instance,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static IEnumerable<KeyValuePair<string, IInboundModule>> All => ByPath;

    /// <summary>The module serving <paramref name="path"/>; null for paths that are not inference endpoints.</summary>
    public static IInboundModule? ForPath(PathString path) =>
        path.Value is { } value && ByPath.TryGetValue(value, out var module) ? module : null;

    /// <summary>The module whose error envelope <paramref name="path"/> answers in; null for OpenAI's.</summary>
    public static IInboundModule? EnvelopeFor(PathString path) =>
        ForPath(path) ?? (path.Value is { } value && EnvelopeByPath.TryGetValue(value, out var module) ? module : null);
}
