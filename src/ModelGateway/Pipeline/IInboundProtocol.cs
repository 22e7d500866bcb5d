using ModelGateway.Requests;

namespace ModelGateway.Pipeline;

/// <summary>
/// One wire protocol a client can speak at the front door (OpenAI chat completions, embeddings; next the
/// Responses API and Anthropic Messages). The module parses its body into a <see cref="GatewayRequest"/> plus
/// the canonical conversation view, and renders answers and errors in its own format; routing, quotas and
/// adapters never see which protocol it was beyond <see cref="Protocol"/>.
/// </summary>
internal interface IInboundProtocol
{
    InboundProtocol Protocol { get; }

    /// <summary>What the upstream is asked to do.</summary>
    Operation Operation { get; }

    /// <summary>Writes <paramref name="error"/> to the client in this protocol's error envelope.</summary>
    Task WriteErrorAsync(HttpContext context, GatewayError error);

    /// <summary>
    /// The sink a translating adapter writes canonical (OpenAI chat completions) output into, rendered for the
    /// client in this protocol; the client sink itself when this protocol is the canonical one. Made per attempt.
    /// </summary>
    ResponseSink RenderCanonical(ResponseSink client);

    /// <summary>As <see cref="RenderCanonical(ResponseSink)"/>, for modules whose rendering depends on the request.</summary>
    ResponseSink RenderCanonical(GatewayRequest request, ResponseSink client) => RenderCanonical(client);
    /// <summary>
    /// The sink a pass-through (native) attempt writes into: the client sink itself unless the protocol must see the
    /// answer on its way (to store it). Made per attempt.
    /// </summary>
    ResponseSink ObserveNative(ResponseSink client) => client;

    /// <summary>As <see cref="ObserveNative(ResponseSink)"/>, for modules that mark the answer with the deployment that made it.</summary>
    ResponseSink ObserveNative(Configuration.Deployment deployment, ResponseSink client) => ObserveNative(client);
}
