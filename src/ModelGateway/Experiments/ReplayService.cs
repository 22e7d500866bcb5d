using System.Collections.Concurrent;
using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Routing;
using ModelGateway.Sensitivity;

namespace ModelGateway.Experiments;

/// <summary>
/// Runs a dataset against an experiment's candidates (issue 17, point 6), so a team can evaluate before it has
/// live traffic: each line is classified like a client's request (the sensitivity policy applies to every call,
/// fail closed), its baseline is the line's reference answer (fine-tuning lines) or the answer of the deployment
/// routing would pick for it, and the candidates are called and compared exactly as for shadowed traffic. At most
/// <c>concurrency</c> lines at a time; a per-replay spend cap on top of the experiment's daily one. Pairs carry the
/// source <c>replay:&lt;id&gt;</c>, so the report can show the replay alone. Progress is kept in memory.
/// </summary>
internal sealed partial class ReplayService : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, ReplayRun> _runs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ShadowEvaluator _evaluator;
    private readonly IShadowRequestFactory _requests;
    private readonly RequestClassifier _classifier;
    private readonly IRoutePlanner _planner;
    private readonly ShadowCaller _caller;
    private readonly ExperimentSpend _spend;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ReplayService> _logger;
    private readonly ConcurrentBag<Task> _running = [];

    public ReplayService(
        ShadowEvaluator evaluator, IShadowRequestFactory requests, RequestClassifier classifier, IRoutePlanner planner, ShadowCaller caller,
        ExperimentSpend spend, TimeProvider timeProvider, ILogger<ReplayService> logger)
    {
        _evaluator = evaluator;
        _requests = requests;
        _classifier = classifier;
        _planner = planner;
        _caller = caller;
        _spend = spend;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public ReplayRun Start(ExperimentConfig experiment, GatewaySnapshot snapshot, List<ReplayLine> lines, int concurrency, decimal? maxSpendUsd)
    {
        var run = new ReplayRun(Requests.UniqueIds.Next("rpl_"), experiment.Id, lines.Count, concurrency, maxSpendUsd, _timeProvider.GetUtcNow());
        _runs[run.Id] = run;
        LogStarted(run.Id, experiment.Id, lines.Count, concurrency);
        _running.Add(Task.Run(() => RunAsync(run, new ActiveExperiment(experiment, snapshot), snapshot, lines)));
        return run;
    }

    public ReplayRun? Find(string experimentId, string replayId) =>
        _runs.TryGetValue(replayId, out var run) && run.ExperimentId == experimentId ? run : null;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return; // Stopped and disposed already.
        }

        try
        {
            await Task.WhenAll(_running).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout.
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunAsync(ReplayRun run, ActiveExperiment experiment, GatewaySnapshot snapshot, List<ReplayLine> lines)
    {
        var status = "completed";
        try
        {
            await Parallel.ForEachAsync(lines, new ParallelOptions { MaxDegreeOfParallelism = run.Concurrency, CancellationToken = _stopping.Token },
                async (line, token) =>
                {
                    if (run.OverBudget)
                    {
                        run.Skipped();
                        status = "spend_cap_reached";
                        return;
                    }

                    await RunLineAsync(run, experiment, snapshot, line, token);
                });
        }
        catch (OperationCanceledException)
        {
            status = "cancelled";
        }

        run.Finish(status, _timeProvider.GetUtcNow());
        LogFinished(run.Id, run.ExperimentId, status);
    }

    private async Task RunLineAsync(ReplayRun run, ActiveExperiment experiment, GatewaySnapshot snapshot, ReplayLine line, CancellationToken token)
    {
        using var request = _requests.Create(snapshot, new Caller("replay:" + run.Id, null), line.Body, embeddings: false, out var error);
        if (request is null)
        {
            run.Failed(line.Number, error?.Message ?? "not a chat completions request");
            return;
        }

        var classification = AtLeast(_classifier.Classify(request), LevelFloor(snapshot, experiment.Config));
        request.Classify(classification);
        if (classification.Refusal is { } refusal)
        {
            run.Failed(line.Number, refusal.Message);
            return;
        }

        var live = line.Reference is { } reference
            ? new LiveResult { Reference = true, Status = 200, ContentType = "application/json", Body = ReplayDataset.AsCompletion(reference) }
            : await BaselineAsync(run, experiment, request, token);
        using var job = new ShadowJob(experiment, request.Retain(), _timeProvider.GetUtcNow()) { Source = run.Source, SampleRate = 1 };
        job.CompleteLive(live);
        run.Completed(await _evaluator.RunAsync(job, token));
    }

    /// <summary>
    /// No client key sent a replayed line, so no key or team default raised its level: fail closed by taking the
    /// highest default of the keys and teams the experiment matches (of every key and team when it names none).
    /// </summary>
    internal static SensitivityLevel LevelFloor(GatewaySnapshot snapshot, ExperimentConfig experiment)
    {
        var policy = snapshot.Config.Routing.Sensitivity;
        var match = experiment.Match;
        var keys = match.Keys.IsEmpty && match.Teams.IsEmpty
            ? snapshot.Config.Keys.Values
            : snapshot.Config.Keys.Values.Where(k => match.Keys.Contains(k.Id) || (k.Team is { } team && match.Teams.Contains(team)));
        var floor = SensitivityLevel.Public;
        foreach (var key in keys)
        {
            floor = SensitivityNames.Max(floor, policy.KeyDefaults.TryGetValue(key.Id, out var level) ? level : SensitivityLevel.Public);
            floor = SensitivityNames.Max(floor, key.Team is { } team && policy.TeamDefaults.TryGetValue(team, out var teamLevel) ? teamLevel : SensitivityLevel.Public);
        }

        foreach (var team in match.Keys.IsEmpty && match.Teams.IsEmpty ? policy.TeamDefaults.Keys : match.Teams)
        {
            floor = SensitivityNames.Max(floor, policy.TeamDefaults.TryGetValue(team, out var level) ? level : SensitivityLevel.Public);
        }

        return floor;
    }

    private static RequestClassification AtLeast(RequestClassification classification, SensitivityLevel floor) =>
        classification.Level >= floor || classification.Refusal is not null
            ? classification
            : new RequestClassification
            {
                Level = floor,
                HeaderLevel = classification.HeaderLevel,
                KeyLevel = floor,
                TeamLevel = classification.TeamLevel,
                DetectedLevel = classification.DetectedLevel,
                FiredDetectors = classification.FiredDetectors,
                Detectors = classification.Detectors,
                PromptTokens = classification.PromptTokens,
                Metadata = classification.Metadata,
                Tags = classification.Tags,
            };

    /// <summary>The line's own answer: the first deployment routing would try for it, called off any client's path.</summary>
    private async Task<LiveResult> BaselineAsync(ReplayRun run, ActiveExperiment experiment, GatewayRequest request, CancellationToken token)
    {
        var plan = _planner.Plan(request);
        if (plan.Refusal is { } refusal || plan.Candidates.IsDefaultOrEmpty)
        {
            return new LiveResult { Failure = plan.Refusal?.Code ?? "no_deployment" };
        }

        var deployment = plan.Candidates[0];
        var result = await _caller.CallAsync(request, deployment, experiment.Config.ShadowTimeout, token);
        await _spend.AddAsync(experiment.Id, result.CostUsd, token);
        run.AddSpend(result.CostUsd);
        return new LiveResult
        {
            ServedBy = result.Served ? deployment : null,
            Status = result.Status,
            ContentType = result.ContentType,
            Body = result.Body,
            Truncated = result.Truncated,
            Latency = result.Latency,
            TimeToFirstToken = result.TimeToFirstToken,
            Usage = result.Usage,
            CostUsd = result.CostUsd,
            Failure = result.Failure,
        };
    }

    [LoggerMessage(EventId = 2710, Level = LogLevel.Information, Message = "Replay {ReplayId} of experiment {Experiment} started: {Lines} lines, {Concurrency} at a time")]
    private partial void LogStarted(string replayId, string experiment, int lines, int concurrency);

    [LoggerMessage(EventId = 2711, Level = LogLevel.Information, Message = "Replay {ReplayId} of experiment {Experiment} finished: {Status}")]
    private partial void LogFinished(string replayId, string experiment, string status);
}
