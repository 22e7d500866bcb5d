using System.Collections.Frozen;

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
        ["/v1/responses"] = Responses.ResponsesProtocol.Instance,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static IEnumerable<KeyValuePair<string, IInboundModule>> All => ByPath;

    /// <summary>The module serving <paramref name="path"/>; null for paths that are not inference endpoints.</summary>
    public static IInboundModule? ForPath(PathString path) =>
        path.Value is { } value && ByPath.TryGetValue(value, out var module) ? module : null;
}
