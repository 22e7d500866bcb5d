using System.Collections.Immutable;
using ModelGateway.Pipeline;
using ModelGateway.Requests;
using ModelGateway.Routing;

namespace ModelGateway.Experiments;

/// <summary>
/// The request path's one contact with experiments: after routing and admission, decides whether the request is
/// shadowed. With no experiment running this is a single check of an empty list. A sampled request gets a
/// <see cref="ShadowTicket"/>: its answer is copied as it goes out, and the job is queued for the background
/// workers once the answer is under way; nothing here waits for a candidate. Shadow work yields to live traffic:
/// while the gateway's CPU is above the experiment's <c>MaxGatewayCpu</c>, or its queue is full, a sampled request
/// is dropped and counted before anything is copied, so a busy gateway spends nothing on it.
/// </summary>
internal sealed class ShadowSampler
{
    /// <summary>The most of a live answer copied for the comparison (1 MiB).</summary>
    public const int MaxCapturedBytes = 1024 * 1024;

    private readonly ActiveExperiments _active;
    private readonly ExperimentRunners _runners;
    private readonly ExperimentMetrics _metrics;
    private readonly GatewayCpu _cpu;
    private readonly TimeProvider _timeProvider;

    public ShadowSampler(ActiveExperiments active, ExperimentRunners runners, ExperimentMetrics metrics, GatewayCpu cpu, TimeProvider timeProvider)
    {
        _active = active;
        _runners = runners;
        _metrics = metrics;
        _cpu = cpu;
        _timeProvider = timeProvider;
    }

    /// <summary>A number in [0, 1) deciding the sample; replaceable so tests can be exact.</summary>
    public Func<double> NextDouble { get; init; } = Random.Shared.NextDouble;

    /// <summary>A ticket when the request is sampled by an experiment; null (at once, for no cost) when none runs or matches.</summary>
    public ShadowTicket? TryStart(HttpContext context, GatewayRequest request)
    {
        var experiments = _active.For(request.Snapshot);
        return experiments.IsEmpty ? null : Sample(context, request, experiments);
    }

    private ShadowTicket? Sample(HttpContext context, GatewayRequest request, ImmutableArray<ActiveExperiment> experiments)
    {
        if (request.Operation == Operation.Embeddings || !request.IsClassified || request.Classification.Refusal is not null)
        {
            return null;
        }

        var classification = request.Classification;
        var facts = new RequestFacts(
            request.Model, request.Caller.KeyId, request.Caller.TeamId, classification.Level, request.Needs,
            classification.PromptTokens, classification.Metadata, classification.Tags, request.Protocol.Protocol);

        // The first matching experiment (by id) samples the request; one live answer is compared once.
        foreach (var experiment in experiments)
        {
            if (!experiment.Rule.Matches(facts))
            {
                continue;
            }

            if (NextDouble() >= experiment.Config.SampleRate)
            {
                return null;
            }

            _metrics.Sampled(experiment.Id);
            var dropped = DropReason(experiment);
            experiment.Admission.Record(shadowed: dropped is null);
            if (dropped is not null)
            {
                _metrics.Dropped(experiment.Id, dropped);
                return null;
            }

            var job = new ShadowJob(experiment, request.Retain(), _timeProvider.GetUtcNow())
            {
                // Each pair stands for the matching requests of its sample, shed ones included.
                SampleRate = experiment.Config.SampleRate * experiment.Admission.Share,
            };
            var ticket = new ShadowTicket(job, LiveCapture.Install(context, MaxCapturedBytes), _runners);
            context.Response.OnStarting(static state =>
            {
                // The live answer is under way: the candidates may start.
                ((ShadowTicket)state).Enqueue();
                return Task.CompletedTask;
            }, ticket);
            return ticket;
        }

        return null;
    }

    /// <summary>Why a sampled request is not shadowed now (<c>busy</c>, <c>queue_full</c>), or null to shadow it.</summary>
    private string? DropReason(ActiveExperiment experiment) =>
        experiment.Config.MaxGatewayCpu < 1 && _cpu.Utilization >= experiment.Config.MaxGatewayCpu ? "busy"
        : !_runners.HasRoom(experiment.Config) ? "queue_full"
        : null;
}
