using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ModelGateway.Configuration;
using ModelGateway.Requests;
using ModelGateway.Routing;

namespace ModelGateway.Telemetry;

/// <summary>
/// Every instrument the gateway records, created once from <see cref="IMeterFactory"/>. The OpenTelemetry GenAI
/// client instruments keep their semantic-convention names; the gateway's own live under <c>modelgateway.*</c>.
/// Recording methods build tags only when someone listens, and every label value is bounded (see
/// <see cref="TelemetryLabels"/>).
/// </summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "ModelGateway";

    public static readonly InstrumentDescriptor TokenUsage = new(
        "gen_ai.client.token.usage", "{token}", InstrumentKind.Histogram, "Tokens used per upstream call, by gen_ai.token.type (input, output).");

    public static readonly InstrumentDescriptor OperationDuration = new(
        "gen_ai.client.operation.duration", "s", InstrumentKind.Histogram, "Duration of each upstream call (attempt), to the end of the response.");

    public static readonly InstrumentDescriptor TimeToFirstChunk = new(
        "gen_ai.client.operation.time_to_first_chunk", "s", InstrumentKind.Histogram, "Time from sending a streamed upstream call to its first chunk.");

    public static readonly InstrumentDescriptor Requests = new(
        "modelgateway.requests", "{request}", InstrumentKind.Counter, "Front-door inference requests, by outcome.");

    public static readonly InstrumentDescriptor Cost = new(
        "modelgateway.cost", "USD", InstrumentKind.Counter, "What served requests cost at the serving deployment's price.");

    public static readonly InstrumentDescriptor BaselineCost = new(
        "modelgateway.baseline.cost", "USD", InstrumentKind.Counter, "What the same tokens would have cost at the baseline price.");

    public static readonly InstrumentDescriptor Savings = new(
        "modelgateway.savings", "USD", InstrumentKind.UpDownCounter, "Baseline cost minus actual cost (negative when dearer than the baseline).");

    public static readonly InstrumentDescriptor Fallbacks = new(
        "modelgateway.fallbacks", "{attempt}", InstrumentKind.Counter, "Upstream attempts made after an earlier deployment failed.");

    /// <summary>Recorded by <see cref="Routing.Capacity.CapacityMetrics"/>, on this meter.</summary>
    public static readonly InstrumentDescriptor Spillovers = new(
        Routing.Capacity.CapacityMetrics.SpilloversName, Routing.Capacity.CapacityMetrics.SpilloversUnit, InstrumentKind.Counter,
        Routing.Capacity.CapacityMetrics.SpilloversDescription);

    public static readonly InstrumentDescriptor CircuitState = new(
        "modelgateway.circuit.state", "{state}", InstrumentKind.ObservableGauge, "Circuit breaker state per deployment: 0 closed, 1 half-open, 2 open, 3 isolated.");

    public static readonly InstrumentDescriptor QuotaRemaining = new(
        "modelgateway.quota.remaining", "USD", InstrumentKind.ObservableGauge, "Budget a team has left in its current period.");

    public static readonly InstrumentDescriptor QuotaLimit = new(
        "modelgateway.quota.limit", "USD", InstrumentKind.ObservableGauge, "A team's budget for its current period, when it has one.");

    public static readonly InstrumentDescriptor LogDropped = new(
        "modelgateway.log.dropped", "{event}", InstrumentKind.ObservableCounter, "Log events dropped because the log queue was full (requests never wait for the log).");

    // Semantic-convention bucket boundaries (gen-ai-metrics.md): token counts in powers of 4, durations doubling from 10 ms.
    private static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<double> _timeToFirstChunk;
    private readonly Counter<long> _requests;
    private readonly Counter<double> _cost;
    private readonly Counter<double> _baselineCost;
    private readonly UpDownCounter<double> _savings;
    private readonly Counter<long> _fallbacks;

    public GatewayMetrics(
        IMeterFactory meterFactory, IGatewayConfigStore store, ICircuitStateSource circuits, IQuotaRemainingSource quotas, LogPipelineMonitor logPipeline)
    {
        var meter = meterFactory.Create(MeterName);
        _tokenUsage = meter.CreateHistogram(TokenUsage.Name, TokenUsage.Unit, TokenUsage.Description, tags: null,
            new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        _operationDuration = meter.CreateHistogram(OperationDuration.Name, OperationDuration.Unit, OperationDuration.Description, tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _timeToFirstChunk = meter.CreateHistogram(TimeToFirstChunk.Name, TimeToFirstChunk.Unit, TimeToFirstChunk.Description, tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _requests = meter.CreateCounter<long>(Requests.Name, Requests.Unit, Requests.Description);
        _cost = meter.CreateCounter<double>(Cost.Name, Cost.Unit, Cost.Description);
        _baselineCost = meter.CreateCounter<double>(BaselineCost.Name, BaselineCost.Unit, BaselineCost.Description);
        _savings = meter.CreateUpDownCounter<double>(Savings.Name, Savings.Unit, Savings.Description);
        _fallbacks = meter.CreateCounter<long>(Fallbacks.Name, Fallbacks.Unit, Fallbacks.Description);
        meter.CreateObservableGauge(CircuitState.Name, () => ObserveCircuits(circuits, store), CircuitState.Unit, CircuitState.Description);
        meter.CreateObservableGauge(QuotaRemaining.Name, () => ObserveQuotas(quotas, limit: false), QuotaRemaining.Unit, QuotaRemaining.Description);
        meter.CreateObservableGauge(QuotaLimit.Name, () => ObserveQuotas(quotas, limit: true), QuotaLimit.Unit, QuotaLimit.Description);
        meter.CreateObservableCounter(LogDropped.Name, () => logPipeline.Dropped, LogDropped.Unit, LogDropped.Description);
    }

    /// <summary>Every instrument above, for documentation and dashboard checks (derived from the fields, not a copy).</summary>
    public static ImmutableArray<InstrumentDescriptor> Instruments { get; } =
        [TokenUsage, OperationDuration, TimeToFirstChunk, Requests, Cost, BaselineCost, Savings, Fallbacks, Spillovers, CircuitState, QuotaRemaining, QuotaLimit, LogDropped];

    /// <summary>One finished upstream attempt: duration, time to first chunk, tokens and, after a failure, a fallback.</summary>
    public void RecordAttempt(in AttemptFacts attempt)
    {
        if (_operationDuration.Enabled || _timeToFirstChunk.Enabled)
        {
            var tags = GenAiTags(attempt);
            if (attempt.ErrorType is { } errorType)
            {
                tags.Add("error.type", errorType);
            }

            _operationDuration.Record(attempt.Duration.TotalSeconds, tags);
            if (attempt.TimeToFirstChunk is { } firstChunk)
            {
                _timeToFirstChunk.Record(firstChunk.TotalSeconds, tags);
            }
        }

        if (attempt.Usage is { } usage && _tokenUsage.Enabled)
        {
            var input = GenAiTags(attempt);
            input.Add("gen_ai.token.type", "input");
            _tokenUsage.Record(usage.PromptTokens, input);
            if (attempt.Operation != ModelGateway.Requests.Operation.Embeddings)
            {
                var output = GenAiTags(attempt);
                output.Add("gen_ai.token.type", "output");
                _tokenUsage.Record(usage.CompletionTokens, output);
            }
        }

        if (attempt.Number > 1 && _fallbacks.Enabled)
        {
            var deployment = attempt.Deployment;
            _fallbacks.Add(1, new TagList
            {
                { "model", attempt.ModelLabel },
                { "deployment", deployment.Config.Id },
                { "provider", deployment.Provider.Id },
                { "trust_tier", TelemetryLabels.Trust(deployment.Provider.Trust) },
            });
        }
    }

    /// <summary>One finished front-door request: its outcome and, when served, its cost and savings.</summary>
    public void RecordRequest(in RequestFacts request, BaselinePrice? baseline)
    {
        var servedBy = request.ServedBy;
        if (_requests.Enabled)
        {
            var tags = OwnerTags(request);
            tags.Add("outcome", TelemetryLabels.Outcome(request.Outcome));
            tags.Add("operation", request.OperationLabel);
            _requests.Add(1, tags);
        }

        if (servedBy is null || request.Usage is not { } usage)
        {
            return;
        }

        if (_cost.Enabled)
        {
            _cost.Add((double)request.CostUsd, OwnerTags(request));
        }

        if (baseline is not null && (_baselineCost.Enabled || _savings.Enabled))
        {
            var tags = OwnerTags(request);
            tags.Add("baseline", baseline.Name);
            _baselineCost.Add((double)baseline.CostOf(usage), tags);
            _savings.Add((double)baseline.SavingsOf(usage, request.CostUsd), tags);
        }
    }

    private static TagList GenAiTags(in AttemptFacts attempt) => new()
    {
        { "gen_ai.operation.name", TelemetryLabels.GenAiOperation(attempt.Operation) },
        { "gen_ai.provider.name", TelemetryLabels.GenAiProvider(attempt.Deployment.Provider.Kind) },
        { "gen_ai.request.model", attempt.ModelLabel },
        { "gen_ai.response.model", attempt.Deployment.Config.UpstreamModel },
        { "deployment", attempt.Deployment.Config.Id },
    };

    private static TagList OwnerTags(in RequestFacts request)
    {
        var servedBy = request.ServedBy;
        return new TagList
        {
            { "team", request.TeamLabel },
            { "model", request.ModelLabel },
            { "deployment", servedBy?.Config.Id ?? TelemetryLabels.None },
            { "provider", servedBy?.Provider.Id ?? TelemetryLabels.None },
            { "trust_tier", servedBy is null ? TelemetryLabels.None : TelemetryLabels.Trust(servedBy.Provider.Trust) },
        };
    }

    private static IEnumerable<Measurement<int>> ObserveCircuits(ICircuitStateSource source, IGatewayConfigStore store)
    {
        var deployments = store.Current.Config.Deployments;
        foreach (var reading in source.Read())
        {
            // Only deployments in the configuration: a removed one stops being reported.
            if (deployments.TryGetValue(reading.DeploymentId, out var deployment))
            {
                yield return new Measurement<int>((int)reading.State, new KeyValuePair<string, object?>("deployment", deployment.Id),
                    new KeyValuePair<string, object?>("provider", deployment.ProviderId));
            }
        }
    }

    private static IEnumerable<Measurement<double>> ObserveQuotas(IQuotaRemainingSource source, bool limit)
    {
        foreach (var reading in source.Read())
        {
            var value = limit ? reading.LimitUsd : reading.RemainingUsd;
            if (value is { } usd)
            {
                var team = new KeyValuePair<string, object?>("team", TelemetryLabels.Team(reading.TeamId));
                yield return reading.Budget is { } budget
                    ? new Measurement<double>((double)usd, team, new KeyValuePair<string, object?>("budget", budget))
                    : new Measurement<double>((double)usd, team);
            }
        }
    }
}

/// <summary>What the metrics need from one upstream attempt; label values already bounded.</summary>
internal readonly record struct AttemptFacts(
    Deployment Deployment,
    Operation Operation,
    string ModelLabel,
    int Number,
    TimeSpan Duration,
    TimeSpan? TimeToFirstChunk,
    TokenUsage? Usage,
    string? ErrorType);

/// <summary>What the metrics need from one finished request; label values already bounded.</summary>
internal readonly record struct RequestFacts(
    RequestOutcome Outcome,
    string OperationLabel,
    string TeamLabel,
    string ModelLabel,
    Deployment? ServedBy,
    TokenUsage? Usage,
    decimal CostUsd);
