using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Requests;
using ModelGateway.Routing;
using ModelGateway.Sensitivity;

namespace ModelGateway.Experiments;

/// <summary>
/// Runs one sampled request against each candidate of its experiment, then compares: every candidate, embeddings
/// and judge deployment must be allowed for the request's sensitivity level (the same check the route planner
/// makes; a refused one is skipped and counted, fail closed), the day's shadow spend must be under the cap, and
/// the deployment must be able to take the request. One pair row per candidate goes to the ledger.
/// </summary>
internal sealed class ShadowEvaluator
{
    private readonly ShadowCaller _caller;
    private readonly ExperimentSpend _spend;
    private readonly ExperimentStore _store;
    private readonly ExperimentMetrics _metrics;
    private readonly CompiledPolicies _policies;
    private readonly PairJudge _judge;
    private readonly Routing.Canaries.CanaryMonitor? _canaries;

    public ShadowEvaluator(
        ShadowCaller caller, ExperimentSpend spend, ExperimentStore store, ExperimentMetrics metrics, CompiledPolicies policies, PairJudge judge,
        Routing.Canaries.CanaryMonitor? canaries = null)
    {
        _canaries = canaries;
        _caller = caller;
        _spend = spend;
        _store = store;
        _metrics = metrics;
        _policies = policies;
        _judge = judge;
    }

    /// <summary>Evaluates every candidate of the job's experiment; the pairs are stored and counted, and returned.</summary>
    public async Task<List<PairRecord>> RunAsync(ShadowJob job, CancellationToken stopping)
    {
        var request = job.Request;
        var experiment = job.Experiment;
        var level = _policies.For(request.Snapshot).Sensitivity.For(request.Classification.Level);
        var pairs = new List<PairRecord>(experiment.Candidates.Length);
        foreach (var candidate in experiment.Candidates)
        {
            var pair = await EvaluateAsync(job, candidate, level, stopping);
            _store.Enqueue(pair);
            _metrics.Record(pair);
            PairAgreement.Report(_canaries, pair);
            pairs.Add(pair);
        }

        return pairs;
    }

    private async Task<PairRecord> EvaluateAsync(ShadowJob job, Deployment candidate, LevelPolicy level, CancellationToken stopping)
    {
        var request = job.Request;
        var experiment = job.Experiment;
        string? skipped = null;
        if (!level.Permits(candidate.Provider))
        {
            skipped = "skipped_sensitivity";
        }
        else if (!_caller.CanServe(request, candidate))
        {
            skipped = "skipped_unsupported";
        }
        else if (!await _spend.TryAdmitAsync(experiment.Config, stopping))
        {
            skipped = "skipped_budget";
        }

        CallResult? result = null;
        if (skipped is null)
        {
            result = await _caller.CallAsync(request, candidate, experiment.Config.ShadowTimeout, stopping);
            await _spend.AddAsync(experiment.Id, result.CostUsd, stopping);
            _metrics.Cost(experiment.Id, "candidate", result.CostUsd);
        }

        var live = await job.Live.WaitAsync(stopping);
        var pair = Pair(job, candidate, live, result, skipped);
        if (pair.Outcome != "ok")
        {
            return pair;
        }

        var chat = request.Conversation(out _)?.Chat;
        var liveAnswer = live.Truncated || live.ClientGone ? null : AnswerReader.Read(live.Body, live.ContentType, request.Protocol.Protocol);
        var candidateAnswer = result!.Truncated ? null : AnswerReader.Read(result.Body, result.ContentType, InboundProtocol.OpenAiChatCompletions);
        pair = PairComparer.Compare(pair, chat, liveAnswer, candidateAnswer);
        if (liveAnswer is not null && candidateAnswer is not null)
        {
            pair = await _judge.EvaluateAsync(job, pair, level, chat, liveAnswer, candidateAnswer, stopping);
        }

        return pair;
    }

    private static PairRecord Pair(ShadowJob job, Deployment candidate, LiveResult live, CallResult? result, string? skipped)
    {
        var request = job.Request;
        var outcome = skipped
            ?? ((live.ServedBy is null && !live.Reference) || live.ClientGone ? "live_error"
            : result!.TimedOut ? "candidate_timeout"
            : !result.Served || result.Failure is not null ? "candidate_error"
            : "ok");
        return new PairRecord
        {
            ExperimentId = job.Experiment.Id,
            RequestId = request.Id,
            Timestamp = job.SampledAt,
            Source = job.Source,
            KeyId = request.Caller.KeyId,
            TeamId = request.Caller.TeamId ?? string.Empty,
            Model = request.Model,
            Protocol = Telemetry.TelemetryLabels.OperationOf(request.Protocol.Protocol),
            Stream = request.Stream,
            SampleRate = job.SampleRate,
            Outcome = outcome,
            LiveDeployment = live.Reference ? "reference" : live.ServedBy?.Config.Id ?? string.Empty,
            LiveFailure = live.ClientGone ? "client_disconnected" : live.Failure,
            LiveLatencyMs = live.Latency.TotalMilliseconds,
            LiveTtftMs = live.TimeToFirstToken?.TotalMilliseconds,
            LivePromptTokens = live.Usage?.PromptTokens ?? 0,
            LiveCompletionTokens = live.Usage?.CompletionTokens ?? 0,
            LiveCostUsd = live.CostUsd,
            CandidateDeployment = candidate.Config.Id,
            CandidateFailure = result?.Failure,
            CandidateLatencyMs = result?.Latency.TotalMilliseconds,
            CandidateTtftMs = result?.TimeToFirstToken?.TotalMilliseconds,
            CandidatePromptTokens = result?.Usage?.PromptTokens ?? 0,
            CandidateCompletionTokens = result?.Usage?.CompletionTokens ?? 0,
            CandidateCostUsd = result?.CostUsd ?? 0m,
        };
    }
}
