using ModelGateway.Configuration;
using Yarp.ReverseProxy.Forwarder;
using ModelGateway.Requests;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// Serves any OpenAI-compatible upstream (OpenAI, vLLM, SGLang, Ollama, llama.cpp, neutral hosts) through YARP's
/// <see cref="IHttpForwarder"/>: the client's bytes go up with only the model name (and the stream usage option)
/// spliced in, and the upstream's bytes come back as they arrive.
/// </summary>
internal sealed partial class OpenAiForwardingAdapter : IProviderAdapter
{
    private readonly IHttpForwarder _forwarder;
    private readonly UpstreamClientPool _clients;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<OpenAiForwardingAdapter> _logger;
    private readonly OpenAiDialect _dialect;

    /// <param name="dialect">What differs for this kind of OpenAI-format upstream (e.g. Azure); OpenAI's own when null.</param>
    public OpenAiForwardingAdapter(
        IHttpForwarder forwarder, UpstreamClientPool clients, TimeProvider timeProvider, ILogger<OpenAiForwardingAdapter> logger, OpenAiDialect? dialect = null)
    {
        _forwarder = forwarder;
        _clients = clients;
        _timeProvider = timeProvider;
        _logger = logger;
        _dialect = dialect ?? OpenAiDialect.Default;
    }

    public ProviderKind Kind => _dialect.Kind;

    public bool Supports(InboundProtocol protocol) =>
        protocol is InboundProtocol.OpenAiChatCompletions or InboundProtocol.OpenAiEmbeddings or InboundProtocol.AnthropicMessages
            or InboundProtocol.OpenAiResponses or InboundProtocol.OpenAiCompletions;

    /// <summary>
    /// Chat, embeddings and legacy completions always (routing sends completions only to deployments with the
    /// <c>completions</c> capability); the Responses API only where the deployment says it speaks it (<c>responses</c>).
    /// </summary>
    public bool ServesNatively(InboundProtocol protocol, Deployment deployment) => protocol switch
    {
        InboundProtocol.OpenAiChatCompletions or InboundProtocol.OpenAiEmbeddings or InboundProtocol.OpenAiCompletions => true,
        InboundProtocol.OpenAiResponses => deployment.Config.Capabilities.HasFlag(ModelCapabilities.Responses),
        _ => false,
    };

    public async ValueTask<UpstreamOutcome> SendAsync(UpstreamCall call)
    {
        // Pass-through straight into the client's response when the sink is it; otherwise through a bridge context.
        var context = call.Sink.ForwardingContext ?? ForwarderBridge.Create(call.Request, call.Sink);
        var started = _timeProvider.GetTimestamp();
        var provider = call.Deployment.Provider;
        var profile = Dialects.DialectProfiles.For(provider.Dialect);
        using var rewritten = OpenAiBodyRewriter.Rewrite(call.Body.Span, call.ModelToken, call.Deployment.UpstreamModelJson.Span, call.Chat);
        using var filtered = profile.StripsReasoningFromHistory && call.Chat is not null
            ? Dialects.ReasoningHistoryFilter.Filter(rewritten is null ? call.Body.Span : rewritten.Span)
            : null;
        var dropped = 0;
        using var reasoning = call.Native && call.Request.Protocol.Protocol == InboundProtocol.OpenAiResponses
            ? EncryptedReasoningFilter.Filter(rewritten is null ? call.Body.Span : rewritten.Span, provider, out dropped)
            : null;
        if (dropped > 0)
        {
            LogReasoningDropped(call.RequestId, dropped, provider.Id);
        }

        SetOutgoingBody(context, reasoning ?? filtered ?? rewritten, call.Body);

        // YARP's activity timeout is the backstop; the two timeouts users configure are enforced here (headers)
        // and in the stream observer (gaps between events), so a stalled stream ends with an error event.
        using var responseTimer = new CancellationTokenSource(provider.ResponseTimeout, _timeProvider);
        var dropUsageChunk = call.Chat is { Stream: true, ClientWantsStreamUsage: false };
        var transformer = new ForwardingTransformer(
            call,
            _dialect.TargetFor(call),
            isEventStream => isEventStream
                ? new SseResponseObserver(dropUsageChunk, provider.ResponseTimeout, _timeProvider, context.RequestAborted, _dialect.DropEmptyChoiceChunks)
                {
                    MaxEventBytes = call.MaxStreamEventBytes,
                    UsageFields = profile.UsageFields,
                    ResponsesEvents = call.Native && call.Request.Protocol.Protocol == InboundProtocol.OpenAiResponses,
                }
                : new JsonResponseObserver(provider.ResponseTimeout, _timeProvider) { UsageFields = profile.UsageFields },
            responseTimer,
            _timeProvider,
            _dialect);
        var requestConfig = new ForwarderRequestConfig { ActivityTimeout = provider.ResponseTimeout * 2 };

        var error = await _forwarder.SendAsync(context, provider.BaseUrl.AbsoluteUri, _clients.For(provider), requestConfig, transformer, responseTimer.Token);
        if (call.LogContent && _logger.IsEnabled(LogLevel.Trace))
        {
            LogContent(call, transformer.Observer);
        }

        var timeToFirstByte = transformer.HeadersReceivedAt == 0 ? (TimeSpan?)null : _timeProvider.GetElapsedTime(started, transformer.HeadersReceivedAt);
        var timeToFirstChunk = transformer.Observer is SseResponseObserver { FirstEventTimestamp: > 0 } sse
            ? _timeProvider.GetElapsedTime(started, sse.FirstEventTimestamp)
            : (TimeSpan?)null;
        if (call.Sink.ForwardingContext is null && call.Sink.HasStarted && !call.Aborted.IsCancellationRequested)
        {
            await call.Sink.FlushAsync();
        }

        return Classify(call, context, error, transformer, responseTimer.IsCancellationRequested, timeToFirstByte, timeToFirstChunk);
    }

    private void LogContent(UpstreamCall call, ResponseObserver? observer)
    {
        LogRequestContent(call.RequestId, System.Text.Encoding.UTF8.GetString(call.Body.Span));
        if (observer is JsonResponseObserver json && json.CapturedText() is { } response)
        {
            LogResponseContent(call.RequestId, response);
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Trace, Message = "{RequestId} request content: {Content}")]
    private partial void LogRequestContent(string requestId, string content);

    [LoggerMessage(EventId = 2880, Level = LogLevel.Debug, Message = "{RequestId}: {Count} input items with encrypted content made by another provider left out for {ProviderId}")]
    private partial void LogReasoningDropped(string requestId, int count, string providerId);

    [LoggerMessage(EventId = 301, Level = LogLevel.Trace, Message = "{RequestId} response content: {Content}")]
    private partial void LogResponseContent(string requestId, string content);

    private static void SetOutgoingBody(HttpContext context, PooledBytes? rewritten, RequestBody original)
    {
        // YARP streams HttpContext.Request.Body upstream; the client's stream is spent, so point it at our bytes.
        var stream = rewritten is null
            ? new MemoryStream(original.Segment.Array!, 0, original.Length, writable: false)
            : new MemoryStream(rewritten.Array, 0, rewritten.Length, writable: false);
        context.Request.Body = stream;
        context.Request.ContentLength = stream.Length;
        context.Request.Headers.Remove("Transfer-Encoding");
        context.Request.Headers.Remove("Expect");
    }

    private static UpstreamOutcome Classify(
        UpstreamCall call, HttpContext context, ForwarderError error, ForwardingTransformer transformer, bool responseTimedOut, TimeSpan? timeToFirstByte, TimeSpan? timeToFirstChunk)
    {
        var usage = transformer.Observer?.Usage;
        var estimated = transformer.Observer?.EstimatedCompletionTokens ?? 0;
        if (call.Aborted.IsCancellationRequested)
        {
            return UpstreamOutcome.Abandoned(usage, estimated);
        }

        if (error == ForwarderError.None)
        {
            return transformer.ErrorResponse is { } upstreamError
                ? UpstreamFailures.FromErrorResponse(upstreamError, transformer.UpstreamStatus ?? 502)
                : UpstreamOutcome.Success(usage, transformer.Observer?.Failure ?? FailureKind.None, timeToFirstByte, timeToFirstChunk, estimated);
        }

        if (call.Sink.HasStarted)
        {
            // YARP aborted the client connection after a body error it could not turn into an event.
            return UpstreamOutcome.Success(
                usage, transformer.Observer?.Failure is { } failure and not FailureKind.None ? failure : FailureKind.ResponseBodyFailed, timeToFirstByte, timeToFirstChunk, estimated);
        }

        context.Features.Set<IForwarderErrorFeature>(null);
        if (transformer.Observer?.Rejection is { } rejection)
        {
            // The observer refused the body before any of it reached the client: another deployment may serve.
            return rejection.WithTimings(timeToFirstByte, null);
        }

        return error switch
        {
            ForwarderError.RequestTimedOut => UpstreamFailures.Timeout(),
            ForwarderError.RequestCanceled when responseTimedOut => UpstreamFailures.Timeout(),
            _ => UpstreamFailures.Unreachable(),
        };
    }
}
