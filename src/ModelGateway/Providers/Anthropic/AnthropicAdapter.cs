using ModelGateway.Configuration;
using ModelGateway.Providers.Translation;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Anthropic;

/// <summary>
/// Serves chat completions from Anthropic's Messages API (<c>POST {BaseUrl}/messages</c>, <c>x-api-key</c> and
/// <c>anthropic-version</c> headers), translating the request and the response, streamed or whole; Messages
/// requests pass through untranslated (<see cref="AnthropicPassThrough"/>).
/// </summary>
internal sealed class AnthropicAdapter : IProviderAdapter
{
    private readonly TranslatingTransport _transport;

    public AnthropicAdapter(TranslatingTransport transport) => _transport = transport;

    public ProviderKind Kind => ProviderKind.Anthropic;

    public bool Supports(InboundProtocol protocol) =>
        protocol is InboundProtocol.OpenAiChatCompletions or InboundProtocol.AnthropicMessages or InboundProtocol.OpenAiResponses;

    public bool ServesNatively(InboundProtocol protocol, Deployment deployment) => protocol == InboundProtocol.AnthropicMessages;

    public async ValueTask<UpstreamOutcome> SendAsync(UpstreamCall call)
    {
        if (call.Native)
        {
            return await AnthropicPassThrough.SendAsync(_transport, call);
        }

        if (call.Request.Conversation(out var invalid)?.Chat is not { } chat)
        {
            return TranslatingTransport.Rejected(invalid!);
        }

        var deployment = call.Deployment;
        var (body, problem) = TranslatedRequest.WriteBody(json => AnthropicRequestWriter.Write(json, chat, deployment.Config.UpstreamModel));
        if (problem is { } unsupported)
        {
            return TranslatingTransport.Unsupported(unsupported.Message, unsupported.Param);
        }

        var provider = deployment.Provider;
        using var request = TranslatedRequest.Create(call, new Uri(provider.BaseUrl.AbsoluteUri.TrimEnd('/') + "/messages"), body, chat.Stream);
        if (provider.Credential.Secret is { } secret)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", secret);
        }

        request.Headers.TryAddWithoutValidation("anthropic-version", provider.ApiVersion ?? ProviderKindSettings.DefaultAnthropicVersion);

        var attemptStarted = _transport.TimeProvider.GetTimestamp();
        var (response, failure) = await _transport.SendAsync(call, request, AnthropicErrors.Map);
        if (response is null)
        {
            return failure!;
        }

        var timeToFirstByte = _transport.TimeProvider.GetElapsedTime(attemptStarted);
        using (response)
        {
            var structuredTool = AnthropicRequestWriter.StructuredToolName(chat);
            var model = deployment.Config.UpstreamModel;
            if (chat.Stream)
            {
                var streamed = await _transport.RelayStreamAsync(call, response, chat.IncludeUsage,
                    chunks => new AnthropicStreamTranslator(chunks, model, structuredTool), attemptStarted);
                return streamed.WithTimings(timeToFirstByte, null);
            }

            var created = _transport.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
            var relayed = await _transport.RelayJsonAsync(call, response, message => AnthropicResponseReader.Read(message, created, model, structuredTool));
            return relayed.WithTimings(timeToFirstByte, null);
        }
    }
}
