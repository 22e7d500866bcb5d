using Microsoft.Extensions.Options;
using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.Telemetry;

/// <summary>Turns each finished inference request into the request, cost and savings metrics and server-span attributes.</summary>
internal sealed partial class TelemetryRequestListener : IRequestCompletionListener
{
    private readonly GatewayMetrics _metrics;
    private readonly IGatewayConfigStore _store;
    private readonly BaselinePrice? _baseline;
    private readonly ILogger<TelemetryRequestListener> _logger;

    public TelemetryRequestListener(GatewayMetrics metrics, IGatewayConfigStore store, IOptions<TelemetryOptions> options, ILogger<TelemetryRequestListener> logger)
    {
        _metrics = metrics;
        _store = store;
        _baseline = BaselinePrice.From(options.Value.Baseline);
        _logger = logger;
    }

    public void OnRequestCompleted(HttpContext context, GatewayRequestFeature feature)
    {
        try
        {
            Record(context, feature);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Measurement callbacks run exporter code (the OpenTelemetry SDK); a failure there must not fail the request.
            LogRecordingFailed(ex, feature.RequestId);
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Recording telemetry for {RequestId} failed")]
    private partial void LogRecordingFailed(Exception exception, string requestId);

    private void Record(HttpContext context, GatewayRequestFeature feature)
    {
        if (feature.Protocol is not { } protocol)
        {
            // Model listings, health probes and unknown paths are not inference traffic.
            return;
        }

        var operation = TelemetryLabels.OperationOf(protocol);
        var outcome = feature.Failure == "internal_error"
            ? RequestOutcome.GatewayError
            : feature.Outcome ?? RequestOutcomes.OfUnclassified(context.Response.StatusCode, feature.Failure);
        var facts = new RequestFacts(
            outcome,
            operation,
            TelemetryLabels.Team(feature.TeamId),
            TelemetryLabels.Model(feature.Model, _store.Current),
            feature.ServedBy,
            feature.Usage,
            feature.CostUsd ?? 0m);
        _metrics.RecordRequest(facts, _baseline);
        GatewayTracing.RecordCompletion(facts);
    }
}
