using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Providers;
using ModelGateway.Requests;

namespace ModelGateway.Capture;

/// <summary>
/// One request's capture as it is served: for each attempt whose provider allows training use, a tee on the sink the
/// adapter writes to; when the request ends, the serving attempt's copy goes to the writer with a hold on the
/// request, or the reason it does not is counted. Used by the dispatcher only, one attempt at a time.
/// </summary>
internal sealed class CaptureAttempt : IDisposable
{
    private readonly GatewayRequest _request;
    private readonly CaptureSettings _settings;
    private readonly CaptureWriter _writer;
    private readonly CaptureMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private CaptureSink? _tee;
    private Deployment? _teed;

    public CaptureAttempt(GatewayRequest request, CaptureSettings settings, CaptureWriter writer, CaptureMetrics metrics, TimeProvider timeProvider)
    {
        _request = request;
        _settings = settings;
        _writer = writer;
        _metrics = metrics;
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// The sink for an attempt on <paramref name="deployment"/>: a tee on <paramref name="sink"/> when its answer may
    /// be kept (training use allowed, and the adapter writes the canonical chat format), else <paramref name="sink"/>.
    /// </summary>
    public ResponseSink Wrap(Deployment deployment, bool native, ResponseSink sink)
    {
        Release();
        if (deployment.Provider.TrainingUse != TrainingUse.Allowed
            || (native && _request.Protocol.Protocol != InboundProtocol.OpenAiChatCompletions))
        {
            return sink;
        }

        _teed = deployment;
        return _tee = new CaptureSink(sink, _settings.MaxResponseBytes);
    }

    /// <summary>The request is over: hands the served answer to the writer, or counts why it is not kept.</summary>
    public void Complete(Deployment? servedBy, UpstreamOutcome? outcome)
    {
        if (servedBy is null || outcome is null || !outcome.Served)
        {
            // Nothing was served: there is no pair, and nothing to count.
            return;
        }

        var result = Judge(servedBy, outcome);
        if (result != CaptureResult.Captured)
        {
            _metrics.Record(result);
            return;
        }

        var (buffer, length) = _tee!.Tee.Take();
        _writer.Enqueue(new PendingCapture(_request.Retain(), servedBy, buffer, length, _tee.IsEventStream, _timeProvider.GetUtcNow()));
    }

    public void Dispose() => Release();

    private CaptureResult Judge(Deployment servedBy, UpstreamOutcome outcome)
    {
        if (servedBy.Provider.TrainingUse != TrainingUse.Allowed)
        {
            return CaptureResult.ProviderForbidden;
        }

        if (_tee is null || !ReferenceEquals(_teed, servedBy))
        {
            return CaptureResult.Unsupported;
        }

        if (_tee.Tee.Overflowed)
        {
            return CaptureResult.TooLarge;
        }

        return outcome.ClientGone || outcome.FailureKind != FailureKind.None || _tee.Status is < 200 or > 299 || _tee.Tee.Copied.IsEmpty
            ? CaptureResult.Incomplete
            : CaptureResult.Captured;
    }

    private void Release()
    {
        _tee?.Tee.Release();
        _tee = null;
        _teed = null;
    }
}
