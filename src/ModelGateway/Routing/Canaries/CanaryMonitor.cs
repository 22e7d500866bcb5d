using System.Collections.Concurrent;
using System.Threading.Channels;
using ModelGateway.Configuration;
using ModelGateway.Providers;
using ModelGateway.Requests;

namespace ModelGateway.Routing.Canaries;

/// <summary>
/// The guarded canaries of this replica: the share in force for each rule, the candidate's outcomes (every attempt on
/// the canary deployment, and its pairs in running experiments) in each rule's guard window, and the breach that sets
/// the share to 0 at once. A breach is logged here and handed to <see cref="CanarySync"/> for Redis and the audit log.
/// </summary>
internal sealed partial class CanaryMonitor : IUpstreamAttemptListener
{
    public static readonly string Replica = $"{Environment.MachineName}:{Environment.ProcessId}";

    private readonly ConcurrentDictionary<string, CanaryState> _states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CanaryOverride> _lastBreach = new(StringComparer.Ordinal);
    private readonly Channel<CanaryOverride> _breaches = Channel.CreateUnbounded<CanaryOverride>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IGatewayConfigStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<CanaryMonitor> _logger;

    public CanaryMonitor(IGatewayConfigStore store, TimeProvider timeProvider, ILogger<CanaryMonitor> logger)
    {
        _store = store;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Overrides set on this replica by a breach, for <see cref="CanarySync"/> to share and audit.</summary>
    public ChannelReader<CanaryOverride> Breaches => _breaches.Reader;

    /// <summary>The rule's canary state for its configuration in force (a new one when the canary section changed).</summary>
    public CanaryState State(string rule, CanaryRule canary)
    {
        if (_states.TryGetValue(rule, out var state) && state.Canary.Fingerprint == canary.Fingerprint)
        {
            return state;
        }

        return _states.AddOrUpdate(rule, _ => new CanaryState(rule, canary),
            (_, old) => old.Canary.Fingerprint == canary.Fingerprint ? old : new CanaryState(rule, canary));
    }

    /// <summary>The share of the rule's requests that try the candidate first, 0 when a guard has been breached.</summary>
    public double PercentInForce(RouteRule rule) => rule.Canary is { } canary ? State(rule.Id, canary).PercentInForce : 0;

    /// <summary>The latest breach known for the rule (here or from Redis), also after the share was set to 0 in the configuration.</summary>
    public CanaryOverride? LastBreach(string rule) => _lastBreach.GetValueOrDefault(rule);

    public void OnAttemptCompleted(UpstreamAttempt attempt)
    {
        var outcome = attempt.Outcome;
        if (outcome.ClientGone || outcome.FailureKind == FailureKind.UpstreamRejected)
        {
            // Not the candidate's fault: the client left, or the request itself was refused (every deployment would).
            return;
        }

        var id = attempt.Deployment.Config.Id;
        foreach (var rule in _store.Current.Config.Routing.Rules)
        {
            if (rule.Canary is { } canary && canary.Deployment == id)
            {
                var state = State(rule.Id, canary);
                var error = !outcome.Served || outcome.FailureKind != FailureKind.None;
                var ttft = (attempt.Streamed ? outcome.TimeToFirstChunk : null) ?? outcome.TimeToFirstByte;
                if (state.Record(_timeProvider.GetUtcNow(), error, attempt.Duration.TotalMilliseconds, ttft?.TotalMilliseconds) is { } breach)
                {
                    Trip(state, breach);
                }
            }
        }
    }

    /// <summary>A pair of a running experiment (the candidate agreed with the live answer or not): counts toward the agreement floor of every canary of the candidate.</summary>
    public void OnPair(string candidateDeployment, bool agrees)
    {
        foreach (var rule in _store.Current.Config.Routing.Rules)
        {
            if (rule.Canary is { } canary && canary.Deployment == candidateDeployment)
            {
                var state = State(rule.Id, canary);
                if (state.RecordPair(_timeProvider.GetUtcNow(), agrees) is { } breach)
                {
                    Trip(state, breach);
                }
            }
        }
    }

    /// <summary>An override read from Redis: applied when it is for the canary configuration in force here.</summary>
    public void ApplyShared(RouteRule rule, CanaryOverride shared)
    {
        _lastBreach[rule.Id] = shared;
        if (shared.Cleared || rule.Canary is not { } canary)
        {
            return;
        }

        var state = State(rule.Id, canary);
        if (state.TrySetOverride(shared))
        {
            LogApplied(rule.Id, canary.Deployment, shared.Guard, Math.Round(shared.Figure, 4), shared.Limit, shared.Count, shared.Replica);
        }
    }

    private void Trip(CanaryState state, CanaryBreach breach)
    {
        var value = new CanaryOverride
        {
            Rule = state.Rule,
            Deployment = state.Canary.Deployment,
            Fingerprint = state.Canary.Fingerprint,
            Guard = breach.Guard,
            Figure = breach.Figure,
            Limit = breach.Limit,
            Count = breach.Count,
            At = _timeProvider.GetUtcNow(),
            Replica = Replica,
        };
        if (state.TrySetOverride(value))
        {
            _lastBreach[state.Rule] = value;
            LogBreached(state.Rule, state.Canary.Deployment, breach.Guard, Math.Round(breach.Figure, 4), breach.Limit, breach.Count, state.Canary.Percent);
            _breaches.Writer.TryWrite(value);
        }
    }

    [LoggerMessage(EventId = 2900, Level = LogLevel.Warning,
        Message = "Canary of route {Rule} rolled back to 0%: guard {Guard} breached by deployment {Deployment} with {Figure} against a limit of {Limit} over {Count} (share was {Percent}%)")]
    private partial void LogBreached(string rule, string deployment, string guard, double figure, double limit, int count, double percent);

    [LoggerMessage(EventId = 2901, Level = LogLevel.Warning,
        Message = "Canary of route {Rule} rolled back to 0% by replica {Replica}: guard {Guard} breached by deployment {Deployment} with {Figure} against a limit of {Limit} over {Count}")]
    private partial void LogApplied(string rule, string deployment, string guard, double figure, double limit, int count, string replica);
}
