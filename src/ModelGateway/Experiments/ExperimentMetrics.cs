using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using ModelGateway.Telemetry;

namespace ModelGateway.Experiments;

/// <summary>
/// The experiments' instruments (<c>modelgateway.experiment.*</c>): sampled and dropped requests, shadow calls by
/// outcome, shadow spend, agreement checks, judge verdicts, and latency on both sides. Labels are experiment and
/// deployment ids from the configuration, so bounded. Shadow calls appear nowhere else: the live request metrics,
/// latency statistics and breakers never see them.
/// </summary>
internal sealed class ExperimentMetrics
{
    public static readonly InstrumentDescriptor SampledRequests = new(
        "modelgateway.experiment.sampled", "{request}", InstrumentKind.Counter, "Live requests an experiment sampled for shadowing.");

    public static readonly InstrumentDescriptor DroppedRequests = new(
        "modelgateway.experiment.dropped", "{request}", InstrumentKind.Counter, "Sampled requests dropped before any shadow call: busy (the gateway above the experiment's MaxGatewayCpu) or queue_full.");

    public static readonly InstrumentDescriptor Calls = new(
        "modelgateway.experiment.calls", "{call}", InstrumentKind.Counter, "Candidate comparisons by outcome: ok, candidate_error, candidate_timeout, live_error, skipped_sensitivity, skipped_budget, skipped_unsupported.");

    public static readonly InstrumentDescriptor ShadowCost = new(
        "modelgateway.experiment.cost", "USD", InstrumentKind.Counter, "Shadow spend (candidates, embeddings and judge), never billed to a client.");

    public static readonly InstrumentDescriptor Checks = new(
        "modelgateway.experiment.checks", "{check}", InstrumentKind.Counter, "Comparison checks by result (agree or disagree): tool_function, tool_arguments, tool_schema, output_schema, text_exact.");

    public static readonly InstrumentDescriptor Verdicts = new(
        "modelgateway.experiment.judge.verdicts", "{verdict}", InstrumentKind.Counter, "Judge verdicts: candidate, live, tie, invalid.");

    public static readonly InstrumentDescriptor Evaluations = new(
        "modelgateway.experiment.evaluations", "{call}", InstrumentKind.Counter, "Embeddings and judge calls by role and outcome: ok, error, skipped_sensitivity, skipped_budget.");

    public static readonly InstrumentDescriptor Latency = new(
        "modelgateway.experiment.latency", "s", InstrumentKind.Histogram, "Latency of the live answer and of each candidate's, per compared pair.");

    public static readonly InstrumentDescriptor TimeToFirstToken = new(
        "modelgateway.experiment.time_to_first_token", "s", InstrumentKind.Histogram, "Time to the first streamed token, live and candidate.");

    public static readonly InstrumentDescriptor QueueDepthGauge = new(
        "modelgateway.experiment.queue.depth", "{request}", InstrumentKind.ObservableGauge, "Sampled requests waiting for a shadow worker.");

    /// <summary>Every instrument above, for the dashboard checks.</summary>
    public static ImmutableArray<InstrumentDescriptor> Instruments { get; } =
        [SampledRequests, DroppedRequests, Calls, ShadowCost, Checks, Verdicts, Evaluations, Latency, TimeToFirstToken, QueueDepthGauge];

    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    private readonly Counter<long> _sampled;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _calls;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _checks;
    private readonly Counter<long> _verdicts;
    private readonly Counter<long> _evaluations;
    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _ttft;

    public ExperimentMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(GatewayMetrics.MeterName);
        _sampled = meter.CreateCounter<long>(SampledRequests.Name, SampledRequests.Unit, SampledRequests.Description);
        _dropped = meter.CreateCounter<long>(DroppedRequests.Name, DroppedRequests.Unit, DroppedRequests.Description);
        _calls = meter.CreateCounter<long>(Calls.Name, Calls.Unit, Calls.Description);
        _cost = meter.CreateCounter<double>(ShadowCost.Name, ShadowCost.Unit, ShadowCost.Description);
        _checks = meter.CreateCounter<long>(Checks.Name, Checks.Unit, Checks.Description);
        _verdicts = meter.CreateCounter<long>(Verdicts.Name, Verdicts.Unit, Verdicts.Description);
        _evaluations = meter.CreateCounter<long>(Evaluations.Name, Evaluations.Unit, Evaluations.Description);
        _latency = meter.CreateHistogram(Latency.Name, Latency.Unit, Latency.Description,
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _ttft = meter.CreateHistogram(TimeToFirstToken.Name, TimeToFirstToken.Unit, TimeToFirstToken.Description,
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        meter.CreateObservableGauge(QueueDepthGauge.Name, () => QueueDepth?.Invoke() ?? 0, QueueDepthGauge.Unit, QueueDepthGauge.Description);
    }

    public Func<long>? QueueDepth { get; set; }

    public void Sampled(string experiment) => _sampled.Add(1, new KeyValuePair<string, object?>("experiment", experiment));

    public void Dropped(string experiment, string reason) =>
        _dropped.Add(1, new KeyValuePair<string, object?>("experiment", experiment), new KeyValuePair<string, object?>("reason", reason));

    public void Cost(string experiment, string role, decimal usd)
    {
        if (usd > 0)
        {
            _cost.Add((double)usd, new KeyValuePair<string, object?>("experiment", experiment), new KeyValuePair<string, object?>("role", role));
        }
    }

    public void Evaluation(string experiment, string role, string outcome) =>
        _evaluations.Add(1, new KeyValuePair<string, object?>("experiment", experiment), new KeyValuePair<string, object?>("role", role),
            new KeyValuePair<string, object?>("outcome", outcome));

    public void Record(PairRecord pair)
    {
        var experiment = new KeyValuePair<string, object?>("experiment", pair.ExperimentId);
        var candidate = new KeyValuePair<string, object?>("candidate", pair.CandidateDeployment);
        _calls.Add(1, experiment, candidate, new KeyValuePair<string, object?>("outcome", pair.Outcome));
        if (pair.Outcome != "ok")
        {
            return;
        }

        Check(experiment, candidate, "tool_function", pair.ToolExpected == true ? pair.ToolSameFunction : null);
        Check(experiment, candidate, "tool_arguments", pair.ToolExpected == true ? pair.ToolArgumentsEqual : null);
        Check(experiment, candidate, "tool_schema", pair.ToolExpected == true ? pair.ToolArgumentsValid : null);
        Check(experiment, candidate, "output_schema", pair.CandidateSchemaValid);
        Check(experiment, candidate, "text_exact", pair.TextExactMatch);
        if (pair.JudgeVerdict is { } verdict)
        {
            _verdicts.Add(1, experiment, candidate, new KeyValuePair<string, object?>("verdict", verdict));
        }

        if (_latency.Enabled)
        {
            _latency.Record(pair.LiveLatencyMs / 1000, experiment, candidate, new KeyValuePair<string, object?>("side", "live"));
            _latency.Record((pair.CandidateLatencyMs ?? 0) / 1000, experiment, candidate, new KeyValuePair<string, object?>("side", "candidate"));
        }

        if (_ttft.Enabled && pair.Stream)
        {
            if (pair.LiveTtftMs is { } live)
            {
                _ttft.Record(live / 1000, experiment, candidate, new KeyValuePair<string, object?>("side", "live"));
            }

            if (pair.CandidateTtftMs is { } shadow)
            {
                _ttft.Record(shadow / 1000, experiment, candidate, new KeyValuePair<string, object?>("side", "candidate"));
            }
        }
    }

    private void Check(KeyValuePair<string, object?> experiment, KeyValuePair<string, object?> candidate, string check, bool? agreed)
    {
        if (agreed is { } result)
        {
            _checks.Add(1, experiment, candidate, new KeyValuePair<string, object?>("check", check),
                new KeyValuePair<string, object?>("result", result ? "agree" : "disagree"));
        }
    }
}
