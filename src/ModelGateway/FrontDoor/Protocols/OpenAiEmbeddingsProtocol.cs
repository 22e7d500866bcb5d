using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols;

/// <summary>OpenAI embeddings (<c>POST /v1/embeddings</c>); translating adapters answer it in OpenAI's shape.</summary>
internal sealed class OpenAiEmbeddingsProtocol : IInboundModule
{
    public static readonly OpenAiEmbeddingsProtocol Instance = new();

    public InboundProtocol Protocol => InboundProtocol.OpenAiEmbeddings;

    public Operation Operation => Operation.Embeddings;

    public ParsedBody? Parse(ReadOnlySpan<byte> body, out GatewayError? error)
    {
        if (EmbeddingsRequest.Parse(body, out error) is not { } request)
        {
            return null;
        }

        return new ParsedBody(request.Model, request.ModelToken, Stream: false, Chat: null, ModelCapabilities.Embeddings, MaxOutputTokens: null);
    }

    public Task WriteErrorAsync(HttpContext context, GatewayError error) => error.WriteAsync(context);

    public ResponseSink RenderCanonical(ResponseSink client) => client;
}
