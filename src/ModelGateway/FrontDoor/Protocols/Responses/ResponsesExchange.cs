using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Providers.OpenAi;
using ModelGateway.Requests;
using ModelGateway.Sensitivity;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// One Responses request as its inbound protocol: the parsed request, the response id it will answer with, and
/// where the answer is stored. It renders canonical (chat completions) output as a Responses answer and keeps the
/// finished response when the client asked for it to be stored.
/// </summary>
internal sealed class ResponsesExchange : IInboundProtocol
{
    public required ResponsesRequest Request { get; init; }

    public required string ResponseId { get; init; }

    public required long CreatedAt { get; init; }

    /// <summary>The conversation's input items: the stored chain's (when continuing one) and this request's.</summary>
    public required List<byte[]> ConversationInput { get; init; }

    /// <summary>The input items this request sent itself.</summary>
    public required List<byte[]> OwnInput { get; init; }

    public required IResponseStore Store { get; init; }

    public required Caller Caller { get; init; }

    /// <summary>The request's record: the level routing applied is read from it when the response is stored.</summary>
    public required GatewayRequestFeature Record { get; init; }

    public SensitivityLevel? InheritedLevel { get; init; }

    public required TimeSpan Retention { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    public InboundProtocol Protocol => InboundProtocol.OpenAiResponses;

    public Operation Operation => Operation.Responses;

    public Task WriteErrorAsync(HttpContext context, GatewayError error) => error.WriteAsync(context);

    public ResponseSink RenderCanonical(ResponseSink client) => new ResponsesRenderer(client, this);

    /// <summary>A stored response is read on its way to the client; a stateless one (<c>store: false</c>) passes untouched.</summary>
    public ResponseSink ObserveNative(ResponseSink client) => Request.Store ? new NativeResponseCapture(client, this) : client;

    /// <summary>As <see cref="ObserveNative(ResponseSink)"/>; encrypted reasoning the client asked for is tagged with the provider that made it.</summary>
    public ResponseSink ObserveNative(Deployment deployment, ResponseSink client) => Request.IncludesEncryptedReasoning
        ? new EncryptedReasoningTagger(ObserveNative(client), EncryptedReasoningTag.Of(deployment.Provider))
        : ObserveNative(client);

    /// <summary>Keeps the finished response (unless the client said <c>store: false</c>) before the client hears it is done.</summary>
    public async ValueTask SaveAsync(IReadOnlyList<byte[]> output, byte[] response, CancellationToken cancellationToken, string? id = null)
    {
        if (!Request.Store)
        {
            return;
        }

        var level = SensitivityNames.Max(Record.Sensitivity ?? SensitivityLevel.Public, InheritedLevel ?? SensitivityLevel.Public);
        await Store.SaveAsync(new StoredResponse
        {
            Id = id ?? ResponseId,
            OwnerKeyId = Caller.KeyId,
            OwnerTeamId = Caller.TeamId,
            Input = ConversationInput,
            OwnInput = OwnInput,
            Output = output,
            Response = response,
            Level = level,
            ExpiresAt = TimeProvider.GetUtcNow() + Retention,
        }, cancellationToken);
    }
}
