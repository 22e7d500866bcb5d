using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols;

/// <summary>
/// OpenAI chat completions (<c>POST /v1/chat/completions</c>). This is also the canonical form: translating
/// adapters read it and write it back, so answers need no rendering for this protocol.
/// </summary>
internal sealed class OpenAiChatProtocol : IInboundModule
{
    public static readonly OpenAiChatProtocol Instance = new();

    public InboundProtocol Protocol => InboundProtocol.OpenAiChatCompletions;

    public Operation Operation => Operation.ChatCompletions;

    public ParsedBody? Parse(ReadOnlySpan<byte> body, out GatewayError? error)
    {
        if (ChatRequestParser.Parse(body, out error) is not { } chat)
        {
            return null;
        }

        return new ParsedBody(chat.Model, chat.ModelToken, chat.Stream, chat, RequiredCapabilities.Of(Operation, chat), chat.MaxOutputTokens);
    }

    public Task WriteErrorAsync(HttpContext context, GatewayError error) => error.WriteAsync(context);

    public ResponseSink RenderCanonical(ResponseSink client) => client;
}
