using System.Collections.Concurrent;
using ModelGateway.Configuration;
using ModelGateway.Providers;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using ModelGateway.Requests;

namespace ModelGateway.Routing;

/// <summary>
/// Whether each deployment may be tried now: one Polly circuit breaker per deployment (from a
/// <see cref="ResiliencePipelineRegistry{TKey}"/>), fed with the outcome of every attempt, plus the cool-down an
/// upstream asked for with <c>retry-after</c> on a 429 or 503. A client that went away is never held against a
/// provider, and neither is a request the provider rightly rejected (400).
/// </summary>
internal sealed partial class DeploymentHealth : IUpstreamAttemptListener, IDisposable
{
    private readonly ResiliencePipelineRegistry<string> _registry = new();
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly IGatewayConfigStore _store;
    private readonly ILogger<DeploymentHealth> _logger;
    private readonly Lock _createLock = new();

    public DeploymentHealth(TimeProvider timeProvider, IGatewayConfigStore store, ILogger<DeploymentHealth> logger)
    {
        _timeProvider = timeProvider;
        _store = store;
        _logger = logger;
    }

    /// <summary>Whether the deployment may be tried at <paramref name="now"/>; when not, until when it is blocked.</summary>
    public HealthState Check(string deploymentId, DateTimeOffset now, out DateTimeOffset blockedUntil)
    {
        blockedUntil = default;
        if (!_entries.TryGetValue(deploymentId, out var entry))
        {
            return HealthState.Available;
        }

        // Polly sets the state at once but runs OnOpened (which stamps OpenUntil) on a scheduled task: a breaker that
        // is open with no stamp yet opened a moment ago, and must already keep requests away.
        var openUntil = entry.OpenUntil;
        if (entry.StateProvider.CircuitState is CircuitState.Open or CircuitState.Isolated && (openUntil == default || now < openUntil))
        {
            blockedUntil = openUntil == default ? now + _store.Current.Config.Routing.Fallback.BreakerBreakDuration : openUntil;
            return HealthState.CircuitOpen;
        }

        // After the break, the next attempt is the probe: the breaker half-opens when it is fed its outcome.
        var coolUntil = entry.CoolUntil;
        if (now < coolUntil)
        {
            blockedUntil = coolUntil;
            return HealthState.CoolingDown;
        }

        return HealthState.Available;
    }

    /// <summary>The breaker state of every deployment that has had an attempt, for the circuit-state gauge.</summary>
    public IReadOnlyList<(string DeploymentId, CircuitState State)> BreakerStates()
    {
        var states = new List<(string, CircuitState)>(_entries.Count);
        foreach (var (id, entry) in _entries)
        {
            states.Add((id, entry.StateProvider.CircuitState));
        }

        return states;
    }

    public void OnAttemptCompleted(UpstreamAttempt attempt)
    {
        var outcome = attempt.Outcome;
        if (outcome.ClientGone)
        {
            return;
        }

        var id = attempt.Deployment.Config.Id;
        var entry = GetEntry(id);
        var fallback = _store.Current.Config.Routing.Fallback;
        if (!outcome.Served && outcome.UpstreamRetryAfter is { } retryAfter && retryAfter > TimeSpan.Zero)
        {
            var wait = retryAfter < fallback.MaxCoolDown ? retryAfter : fallback.MaxCoolDown;
            entry.CoolUntil = _timeProvider.GetUtcNow() + wait;
            LogCoolingDown(id, wait.TotalSeconds);
        }

        // Feed the breaker the outcome as if it had run inside the pipeline; an open breaker just rejects it.
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            var pending = entry.Pipeline.ExecuteOutcomeAsync(static (_, state) => Outcome.FromResultAsValueTask(state), context, outcome);
            if (pending.IsCompleted)
            {
                _ = pending.Result;
            }
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>True when the outcome says the provider is unwell. Rate limiting is handled by the cool-down instead.</summary>
    internal static bool IsProviderFailure(UpstreamOutcome outcome) =>
        outcome.Served ? outcome.FailureKind != FailureKind.None
            : outcome.Retryable && FailureKinds.CountsAgainstDeployment(outcome.FailureKind);

    public void Dispose() => _registry.Dispose();

    private Entry GetEntry(string deploymentId)
    {
        if (_entries.TryGetValue(deploymentId, out var entry))
        {
            return entry;
        }

        // Created once under a lock: the registry's pipeline must be wired to this entry's state provider.
        lock (_createLock)
        {
            return _entries.GetOrAdd(deploymentId, CreateEntry);
        }
    }

    private Entry CreateEntry(string deploymentId)
    {
        var fallback = _store.Current.Config.Routing.Fallback;
        var entry = new Entry();
        entry.Pipeline = _registry.GetOrAddPipeline<UpstreamOutcome>(deploymentId, builder =>
        {
            builder.TimeProvider = _timeProvider;
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<UpstreamOutcome>
            {
                Name = "deployment-breaker",
                FailureRatio = fallback.BreakerFailureRatio,
                MinimumThroughput = fallback.BreakerMinimumThroughput,
                SamplingDuration = fallback.BreakerSamplingDuration,
                BreakDuration = fallback.BreakerBreakDuration,
                StateProvider = entry.StateProvider,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is { } result && IsProviderFailure(result)),
                OnOpened = args =>
                {
                    entry.OpenUntil = _timeProvider.GetUtcNow() + args.BreakDuration;
                    LogOpened(deploymentId, args.BreakDuration.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    // The probe's outcome decides; if it opens the breaker again, the old stamp must not let requests through.
                    entry.OpenUntil = default;
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    entry.OpenUntil = default;
                    LogClosed(deploymentId);
                    return ValueTask.CompletedTask;
                },
            });
        });
        return entry;
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Warning, Message = "Circuit opened for deployment {Deployment} for {Seconds} s")]
    private partial void LogOpened(string deployment, double seconds);

    [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "Circuit closed for deployment {Deployment}")]
    private partial void LogClosed(string deployment);

    [LoggerMessage(EventId = 412, Level = LogLevel.Information, Message = "Deployment {Deployment} cooling down for {Seconds} s as the upstream asked")]
    private partial void LogCoolingDown(string deployment, double seconds);

    private sealed class Entry
    {
        private long _openUntilTicks;
        private long _coolUntilTicks;

        public CircuitBreakerStateProvider StateProvider { get; } = new();

        public ResiliencePipeline<UpstreamOutcome> Pipeline { get; set; } = null!;

        public DateTimeOffset OpenUntil
        {
            get => new(Interlocked.Read(ref _openUntilTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _openUntilTicks, value.UtcTicks);
        }

        public DateTimeOffset CoolUntil
        {
            get => new(Interlocked.Read(ref _coolUntilTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _coolUntilTicks, value.UtcTicks);
        }
    }
}

internal enum HealthState
{
    Available,
    CircuitOpen,
    CoolingDown,
}
