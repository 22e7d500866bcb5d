using ModelGateway.Configuration;
using ModelGateway.Providers;

namespace ModelGateway.Telemetry;

/// <summary>Turns each upstream attempt into the GenAI client metrics and the fallback counter.</summary>
internal sealed partial class TelemetryAttemptListener : IUpstreamAttemptListener
{
    private readonly GatewayMetrics _metrics;
    private readonly IGatewayConfigStore _store;
    private readonly ILogger<TelemetryAttemptListener> _logger;

    public TelemetryAttemptListener(GatewayMetrics metrics, IGatewayConfigStore store, ILogger<TelemetryAttemptListener> logger)
    {
        _metrics = metrics;
        _store = store;
        _logger = logger;
    }

    public void OnAttemptCompleted(UpstreamAttempt attempt)
    {
        var outcome = attempt.Outcome;
        try
        {
            _metrics.RecordAttempt(new AttemptFacts(
                attempt.Deployment,
                attempt.Operation,
                TelemetryLabels.Model(attempt.Model, _store.Current),
                attempt.Number,
                attempt.Duration,
                outcome.TimeToFirstChunk,
                outcome.Usage,
                outcome.FailureLabel));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Measurement callbacks run exporter code (the OpenTelemetry SDK); a failure there must not fail the request.
            LogRecordingFailed(ex, attempt.Deployment.Config.Id);
        }
    }

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "Recording telemetry for an attempt on {Deployment} failed")]
    private partial void LogRecordingFailed(Exception exception, string deployment);
}
