using ModelGateway.Configuration;
using ModelGateway.Providers;

namespace ModelGateway.Telemetry;

/// <summary>Turns each upstream attempt into the GenAI client metrics and the fallback counter.</summary>
internal sealed class TelemetryAttemptListener : IUpstreamAttemptListener
{
    private readonly GatewayMetrics _metrics;
    private readonly IGatewayConfigStore _store;

    public TelemetryAttemptListener(GatewayMetrics metrics, IGatewayConfigStore store)
    {
        _metrics = metrics;
        _store = store;
    }

    public void OnAttemptCompleted(UpstreamAttempt attempt)
    {
        var outcome = attempt.Outcome;
        _metrics.RecordAttempt(new AttemptFacts(
            attempt.Deployment,
            attempt.Operation,
            TelemetryLabels.Model(attempt.Model, _store.Current),
            attempt.Number,
            attempt.Duration,
            outcome.TimeToFirstChunk,
            outcome.Usage,
            outcome.FailureKind));
    }
}
