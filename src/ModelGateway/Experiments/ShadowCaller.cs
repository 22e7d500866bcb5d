using ModelGateway.Accounting;
using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Providers;
using ModelGateway.Requests;

namespace ModelGateway.Experiments;

/// <summary>
/// Sends a request to one deployment through its adapter into a <see cref="CollectingSink"/>, off the client's
/// path: no quota reservation, no attempt listeners (so no circuit breaker, latency statistic, load slot or live
/// metric learns from it), cancelled by its own timeout and by shutdown, never by the client. The request goes in
/// the canonical form (OpenAI chat), streamed when the client streamed, so the answer is always canonical too.
/// </summary>
internal sealed partial class ShadowCaller
{
    /// <summary>The most of a shadow answer collected (4 MiB); a longer one is cut and counted as truncated.</summary>
    public const int MaxCollectedBytes = 4 * 1024 * 1024;

    private readonly ProviderAdapters _adapters;
    private readonly UsageSanitizer _sanitizer;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ShadowCaller> _logger;

    public ShadowCaller(ProviderAdapters adapters, UsageSanitizer sanitizer, TimeProvider timeProvider, ILogger<ShadowCaller> logger)
    {
        _adapters = adapters;
        _sanitizer = sanitizer;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Whether the deployment can take this request at all (an adapter for its kind, the capabilities it needs).</summary>
    public bool CanServe(GatewayRequest request, Deployment deployment) =>
        _adapters.CanServe(deployment, Canonical(request.Protocol.Protocol))
        && (deployment.Config.Capabilities & request.Needs) == request.Needs;

    public async Task<CallResult> CallAsync(GatewayRequest request, Deployment deployment, TimeSpan timeout, CancellationToken stopping)
    {
        using var timer = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, stopping);
        using var sink = new CollectingSink(linked.Token, MaxCollectedBytes);
        var adapter = _adapters.For(deployment.Provider.Kind)!;
        var protocol = request.Protocol.Protocol;
        var native = protocol is InboundProtocol.OpenAiChatCompletions or InboundProtocol.OpenAiEmbeddings && adapter.ServesNatively(protocol, deployment);
        var started = _timeProvider.GetTimestamp();
        UpstreamOutcome outcome;
        try
        {
            outcome = await adapter.SendAsync(new UpstreamCall { Request = request, Deployment = deployment, Native = native, Sink = sink });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !stopping.IsCancellationRequested)
        {
            // An adapter bug must not take the worker down; the pair records the failure.
            LogCallFailed(ex, deployment.Config.Id, request.Id);
            return new CallResult { Failure = "shadow_error", Latency = _timeProvider.GetElapsedTime(started), TimedOut = timer.IsCancellationRequested };
        }

        var latency = _timeProvider.GetElapsedTime(started);
        stopping.ThrowIfCancellationRequested();
        var timedOut = timer.IsCancellationRequested;
        var usage = outcome.Usage is { } reported ? _sanitizer.Sanitize(reported, deployment.Config.Id) : (TokenUsage?)null;
        if (usage is null && outcome.Served)
        {
            usage = new TokenUsage(request.IsClassified ? request.PromptTokens : 0, 0, outcome.EstimatedCompletionTokens, 0);
        }

        return new CallResult
        {
            Served = outcome.Served && !timedOut,
            Failure = timedOut ? "timeout" : outcome.FailureLabel,
            Status = sink.Status,
            ContentType = sink.ContentType,
            Body = sink.Body.ToArray(),
            Truncated = sink.Truncated,
            Latency = latency,
            TimeToFirstToken = outcome.TimeToFirstChunk ?? outcome.TimeToFirstByte,
            Usage = usage,
            CostUsd = usage is { } known ? deployment.Config.Price.CostOf(known) : 0m,
            TimedOut = timedOut,
        };
    }

    /// <summary>The protocol the shadow request goes in: the client's when it is canonical, else OpenAI chat.</summary>
    private static InboundProtocol Canonical(InboundProtocol protocol) =>
        protocol == InboundProtocol.OpenAiEmbeddings ? protocol : InboundProtocol.OpenAiChatCompletions;

    [LoggerMessage(EventId = 2702, Level = LogLevel.Error, Message = "Shadow call to {Deployment} for request {RequestId} failed unexpectedly")]
    private partial void LogCallFailed(Exception exception, string deployment, string requestId);
}
