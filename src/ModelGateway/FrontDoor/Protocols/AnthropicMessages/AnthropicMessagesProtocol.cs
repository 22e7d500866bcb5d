using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>
/// Anthropic Messages (<c>POST /v1/messages</c>), the API Claude Code and the Anthropic SDKs speak. Anthropic
/// deployments take the client's bytes as they are (model spliced); every other kind gets the canonical chat
/// completions form, and its answer is rendered back as a Messages response or event stream.
/// </summary>
internal sealed class AnthropicMessagesProtocol : IInboundModule
{
    public const string Path = "/v1/messages";
    public const string CountTokensPath = "/v1/messages/count_tokens";

    /// <summary>Response header naming the client's fields a translated answer could not honour (thinking, cache control...).</summary>
    public const string DroppedHeader = "x-gateway-dropped";

    public static readonly AnthropicMessagesProtocol Instance = new();

    public InboundProtocol Protocol => InboundProtocol.AnthropicMessages;

    public Operation Operation => Operation.ChatCompletions;

    public ParsedBody? Parse(ReadOnlySpan<byte> body, out GatewayError? error) => MessagesRequestParser.Parse(body, countTokens: false, out error);

    public Task WriteErrorAsync(HttpContext context, GatewayError error) => AnthropicErrorEnvelope.WriteAsync(context, error);

    public ResponseSink RenderCanonical(ResponseSink client) => new MessagesRenderingSink(client, dropped: null, estimatedInputTokens: 0);

    public ResponseSink RenderCanonical(GatewayRequest request, ResponseSink client) =>
        new MessagesRenderingSink(client, request.Canonical.Dropped, request.IsClassified ? request.PromptTokens : 0);
}
