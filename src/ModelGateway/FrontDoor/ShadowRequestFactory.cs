using ModelGateway.Configuration;
using ModelGateway.Experiments;
using ModelGateway.FrontDoor.Protocols;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor;

/// <summary>Request objects for bodies the experiments write (judge prompts, embeddings inputs, replayed lines), parsed as a client's would be.</summary>
internal sealed class ShadowRequestFactory : IShadowRequestFactory
{
    public GatewayRequest? Create(GatewaySnapshot snapshot, Caller caller, ReadOnlySpan<byte> body, bool embeddings, out GatewayError? error) =>
        GatewayRequestReader.FromSample(
            snapshot, caller, embeddings ? OpenAiEmbeddingsProtocol.Instance : OpenAiChatProtocol.Instance, body, new HeaderDictionary(), out error);
}
