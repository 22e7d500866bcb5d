using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.Experiments;

/// <summary>
/// Makes request objects for bodies the gateway writes itself (a judge's prompt, an embeddings input, a replayed
/// line): the same parse as a client's request, by the front door's modules, which this folder cannot reach.
/// </summary>
internal interface IShadowRequestFactory
{
    /// <summary>An OpenAI chat completions (or, with <paramref name="embeddings"/>, embeddings) request; null with the error when the body is not one.</summary>
    GatewayRequest? Create(GatewaySnapshot snapshot, Caller caller, ReadOnlySpan<byte> body, bool embeddings, out GatewayError? error);
}
