using System.Text.Json;
using ModelGateway.Configuration;
using ModelGateway.Providers.Translation;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Gemini;

/// <summary>
/// Serves chat completions and embeddings from Google's Generative Language API (<c>{BaseUrl}/models/{model}:generateContent</c>,
/// <c>:streamGenerateContent?alt=sse</c>, <c>:embedContent</c>, <c>:batchEmbedContents</c>; <c>x-goog-api-key</c> header).
/// </summary>
internal sealed class GeminiAdapter : IProviderAdapter
{
    private readonly TranslatingTransport _transport;

    public GeminiAdapter(TranslatingTransport transport) => _transport = transport;

    public ProviderKind Kind => ProviderKind.Gemini;

    public bool Supports(InboundProtocol protocol) =>
        protocol is InboundProtocol.OpenAiChatCompletions or InboundProtocol.OpenAiEmbeddings or InboundProtocol.AnthropicMessages or InboundProtocol.OpenAiResponses;

    public bool ServesNatively(InboundProtocol protocol, Deployment deployment) => false;

    public async ValueTask<UpstreamOutcome> SendAsync(UpstreamCall call)
    {
        switch (call.Operation)
        {
            case Operation.ChatCompletions:
                return await ChatAsync(call);
            case Operation.Embeddings:
                using (var document = JsonDocument.Parse(call.Body.Memory))
                {
                    return await EmbedAsync(call, document.RootElement);
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(call), call.Operation, "An operation the Gemini adapter does not serve.");
        }
    }

    private async Task<UpstreamOutcome> ChatAsync(UpstreamCall call)
    {
        // The canonical conversation, read once per request however many translating attempts use it.
        if (call.Request.Conversation(out var invalid)?.Chat is not { } chat)
        {
            return TranslatingTransport.Rejected(invalid!);
        }

        var (body, problem) = TranslatedRequest.WriteBody(json => GeminiRequestWriter.Write(json, chat));
        if (problem is { } p)
        {
            return p.Malformed
                ? TranslatingTransport.Rejected(Requests.GatewayError.InvalidRequest(p.Message, p.Param))
                : TranslatingTransport.Unsupported(p.Message, p.Param);
        }

        var model = call.Deployment.Config.UpstreamModel;
        var method = chat.Stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
        using var request = CreateRequest(call, method, body, chat.Stream);
        var attemptStarted = _transport.TimeProvider.GetTimestamp();
        var (response, failure) = await _transport.SendAsync(call, request, GeminiErrors.Map);
        if (response is null)
        {
            return failure!;
        }

        var timeToFirstByte = _transport.TimeProvider.GetElapsedTime(attemptStarted);
        using (response)
        {
            var fallbackId = "chatcmpl-" + call.RequestId;
            if (chat.Stream)
            {
                var streamed = await _transport.RelayStreamAsync(call, response, chat.IncludeUsage,
                    chunks => new GeminiStreamTranslator(chunks, model, fallbackId), attemptStarted);
                return streamed.WithTimings(timeToFirstByte, null);
            }

            var created = _transport.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
            var relayed = await _transport.RelayJsonAsync(call, response, reply => GeminiResponseReader.Read(reply, created, model, fallbackId));
            return relayed.WithTimings(timeToFirstByte, null);
        }
    }

    private async Task<UpstreamOutcome> EmbedAsync(UpstreamCall call, JsonElement root)
    {
        if (GeminiEmbeddings.Read(root, out var problem) is not { } embeddings)
        {
            return TranslatingTransport.Unsupported(problem!, "input");
        }

        var model = call.Deployment.Config.UpstreamModel;
        var (body, _) = TranslatedRequest.WriteBody<object>(json =>
        {
            embeddings.WriteRequest(json, model);
            return null;
        });
        using var request = CreateRequest(call, embeddings.Batch ? ":batchEmbedContents" : ":embedContent", body, stream: false);
        var attemptStarted = _transport.TimeProvider.GetTimestamp();
        var (response, failure) = await _transport.SendAsync(call, request, GeminiErrors.Map);
        if (response is null)
        {
            return failure!;
        }

        var timeToFirstByte = _transport.TimeProvider.GetElapsedTime(attemptStarted);
        using (response)
        {
            var relayed = await _transport.RelayJsonAsync(call, response, reply => embeddings.ReadResponse(reply, model));
            return relayed.WithTimings(timeToFirstByte, null);
        }
    }

    private static HttpRequestMessage CreateRequest(UpstreamCall call, string method, ReadOnlyMemory<byte> body, bool stream)
    {
        var provider = call.Deployment.Provider;
        var uri = new Uri(provider.BaseUrl.AbsoluteUri.TrimEnd('/') + "/models/" + Uri.EscapeDataString(call.Deployment.Config.UpstreamModel) + method);
        var request = TranslatedRequest.Create(call, uri, body, stream);
        if (provider.Credential.Secret is { } secret)
        {
            request.Headers.TryAddWithoutValidation("x-goog-api-key", secret);
        }

        return request;
    }
}
