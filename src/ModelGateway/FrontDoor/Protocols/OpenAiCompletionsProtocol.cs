using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols;

/// <summary>
/// OpenAI legacy text completions (<c>POST /v1/completions</c>): the client's bytes pass through (model spliced) to
/// OpenAI-format deployments with the <c>completions</c> capability; no translation, so no other deployment is a
/// candidate. Usage is read from the body or the final stream chunk as for chat.
/// </summary>
internal sealed class OpenAiCompletionsProtocol : IInboundModule
{
    public const string Path = "/v1/completions";

    public static readonly OpenAiCompletionsProtocol Instance = new();

    public InboundProtocol Protocol => InboundProtocol.OpenAiCompletions;

    public Operation Operation => Operation.Completions;

    public ParsedBody? Parse(ReadOnlySpan<byte> body, out GatewayError? error)
    {
        if (CompletionsRequestParser.Parse(body, out error) is not { } request)
        {
            return null;
        }

        return new ParsedBody(request.Model, request.ModelToken, request.Stream, request, ModelCapabilities.Completions, request.MaxOutputTokens);
    }

    public Task WriteErrorAsync(HttpContext context, GatewayError error) => error.WriteAsync(context);

    // Never called with a translating adapter: only pass-through deployments serve completions.
    public ResponseSink RenderCanonical(ResponseSink client) => client;
}
