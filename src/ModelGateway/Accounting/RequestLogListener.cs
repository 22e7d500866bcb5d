using Microsoft.Extensions.Options;
using ModelGateway.Sensitivity;
using ModelGateway.Telemetry;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.Accounting;

/// <summary>
/// Turns every finished front-door request (served, refused, failed or abandoned) into one request-log row and
/// hands it to the background writer. Model listings, health probes and route explanations are not requests to log.
/// </summary>
internal sealed class RequestLogListener : IRequestCompletionListener
{
    private const int MaxText = 256;
    private readonly LedgerWriter _writer;
    private readonly TimeProvider _timeProvider;
    private readonly BaselinePrice? _baseline;

    public RequestLogListener(LedgerWriter writer, TimeProvider timeProvider, IOptions<TelemetryOptions> telemetry)
    {
        _writer = writer;
        _timeProvider = timeProvider;
        _baseline = BaselinePrice.From(telemetry.Value.Baseline);
    }

    public void OnRequestCompleted(HttpContext context, GatewayRequestFeature feature)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        if (!HttpMethods.IsPost(request.Method) || !path.StartsWith("/v1/", StringComparison.OrdinalIgnoreCase)
            || path.StartsWith("/v1/route/", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var status = context.Response.StatusCode;
        var outcome = feature.Failure == "internal_error"
            ? RequestOutcome.GatewayError
            : feature.Outcome ?? RequestOutcomes.OfUnclassified(status, feature.Failure);
        var served = feature.ServedBy is not null;
        var usage = feature.Usage ?? default;
        _writer.Enqueue(new RequestLogEntry
        {
            RequestId = feature.RequestId,
            Timestamp = _timeProvider.GetUtcNow(),
            DecisionId = feature.DecisionId,
            KeyId = feature.KeyId,
            TeamId = feature.TeamId ?? "",
            Protocol = path.StartsWith("/v1/messages", StringComparison.OrdinalIgnoreCase) ? "anthropic" : "openai",
            Operation = Operation(path),
            Model = Bounded(feature.Model),
            ProviderId = feature.ProviderId ?? "",
            DeploymentId = feature.DeploymentId ?? "",
            Served = served,
            Attempts = feature.Attempts,
            Status = status,
            Outcome = TelemetryLabels.Outcome(outcome),
            Failure = Bounded(feature.Failure),
            Usage = usage,
            UsageReported = feature.UsageReported,
            CostUsd = feature.CostUsd ?? 0m,
            BaselineCostUsd = served && _baseline is not null ? _baseline.CostOf(usage) : 0m,
            LatencyMs = Math.Round(_timeProvider.GetElapsedTime(feature.StartTimestamp).TotalMilliseconds, 3),
            TimeToFirstByteMs = feature.TimeToFirstByte is { } ttfb ? Math.Round(ttfb.TotalMilliseconds, 3) : null,
            Sensitivity = feature.Sensitivity is { } level ? SensitivityNames.Name(level) : null,
            Detectors = feature.FiredDetectors,
        });
    }

    private static string Operation(string path)
    {
        if (path.Equals("/v1/chat/completions", StringComparison.OrdinalIgnoreCase))
        {
            return "chat";
        }

        if (path.Equals("/v1/completions", StringComparison.OrdinalIgnoreCase))
        {
            return "completions";
        }

        return path.Equals("/v1/embeddings", StringComparison.OrdinalIgnoreCase) ? "embeddings" : Bounded(path);
    }

    // Client-typed values (a model name, an unknown path) are kept, but never unbounded.
    private static string Bounded(string? value) => value is null ? "" : value.Length <= MaxText ? value : value[..MaxText];
}
