using System.Collections.Immutable;
using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Providers;
using ModelGateway.Sensitivity;
using ModelGateway.Requests;

namespace ModelGateway.Routing;

/// <summary>
/// The policy engine. For each request: classify its sensitivity (header, caller default, content detectors),
/// pick the first matching rule, filter the rule's candidates (capabilities, context window, rule constraints,
/// the sensitivity policy, circuit breakers and cool-downs), then order the rest by the rule's strategy. A
/// deployment the sensitivity policy forbids is never in the plan, so no attempt or fallback can reach it.
/// </summary>
internal sealed partial class PolicyRoutePlanner : IRoutePlanner
{
    private readonly ProviderAdapters _adapters;
    private readonly CompiledPolicies _policies;
    private readonly DeploymentStatistics _statistics;
    private readonly DeploymentHealth _health;
    private readonly IRoutingRandom _random;
    private readonly Capacity.DeploymentLoad _load;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PolicyRoutePlanner> _logger;
    private readonly Canaries.CanaryMonitor? _canaries;

    public PolicyRoutePlanner(
        ProviderAdapters adapters,
        CompiledPolicies policies,
        DeploymentStatistics statistics,
        DeploymentHealth health,
        IRoutingRandom random,
        TimeProvider timeProvider,
        ILogger<PolicyRoutePlanner> logger,
        Capacity.DeploymentLoad? load = null,
        Canaries.CanaryMonitor? canaries = null)
    {
        _canaries = canaries;
        _load = load ?? new Capacity.DeploymentLoad(timeProvider);
        _adapters = adapters;
        _policies = policies;
        _statistics = statistics;
        _health = health;
        _random = random;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public RoutePlan Plan(GatewayRequest request)
    {
        var policy = _policies.For(request.Snapshot);
        var classification = request.Classification;
        if (classification.Refusal is { } invalid)
        {
            return RoutePlan.Refuse(invalid);
        }

        var facts = new RequestFacts(
            request.Model, request.Caller.KeyId, request.Caller.TeamId, classification.Level, request.Needs,
            classification.PromptTokens, classification.Metadata, classification.Tags, request.Protocol.Protocol);
        var rule = policy.Match(facts);

        var pool = rule.Explicit ?? request.Snapshot.DeploymentsFor(request.Model);
        var canary = rule.Canary is not null && Canary(rule, ref pool);
        var verdicts = new CandidateVerdict[pool.Length];
        var order = Evaluate(policy, rule, request, facts, pool, verdicts);
        if (canary)
        {
            // The sampled request tries the candidate first (when it may go there at all); the rule's order follows.
            MoveToFront(order, 0);
        }

        GatewayError? refusal = null;
        if (pool.IsEmpty)
        {
            refusal = GatewayError.ModelNotFound(request.Model);
        }
        else if (order.Length == 0)
        {
            refusal = Refusal(policy, request, rule, facts, classification.FiredDetectors, verdicts);
        }

        var decision = new RoutingDecision
        {
            Id = NewDecisionId(),
            Model = request.Model,
            Rule = rule.Rule,
            Classification = classification,
            Candidates = verdicts,
            Refusal = refusal,
        };
        Log(request, decision, order);

        if (refusal is not null)
        {
            return RoutePlan.Refuse(refusal, decision);
        }

        var candidates = ImmutableArray.CreateBuilder<Deployment>(order.Length);
        foreach (var index in order)
        {
            candidates.Add(verdicts[index].Deployment);
        }

        return RoutePlan.Try(candidates.MoveToImmutable(), decision, policy.Fallback.MaxAttempts, policy.Fallback.TimeBudget);
    }

    /// <summary>
    /// A rule with a canary: the candidate leaves the pool, and comes back at its head for the share of requests the
    /// canary has in force (0 once a guard is breached). True when this request is sampled for the candidate.
    /// </summary>
    private bool Canary(CompiledRule rule, ref ImmutableArray<Deployment> pool)
    {
        var candidate = rule.Canary!;
        var id = candidate.Config.Id;
        if (rule.Explicit is null)
        {
            var index = -1;
            for (var i = 0; i < pool.Length; i++)
            {
                if (pool[i].Config.Id == id)
                {
                    index = i;
                    break;
                }
            }

            if (index < 0)
            {
                // The candidate does not serve the requested model: nothing to share.
                return false;
            }

            pool = pool.RemoveAt(index);
        }

        var percent = _canaries?.PercentInForce(rule.Rule) ?? rule.Rule.Canary!.Percent;
        if (percent <= 0 || _random.NextDouble() * 100 >= percent)
        {
            return false;
        }

        pool = pool.Insert(0, candidate);
        return true;
    }

    private static void MoveToFront(int[] order, int index)
    {
        var at = Array.IndexOf(order, index);
        if (at > 0)
        {
            Array.Copy(order, 0, order, 1, at);
            order[0] = index;
        }
    }

    /// <summary>Fills every verdict and returns the indices of the eligible candidates in try order.</summary>
    private int[] Evaluate(CompiledPolicy policy, CompiledRule rule, GatewayRequest request, in RequestFacts facts, ImmutableArray<Deployment> pool, CandidateVerdict[] verdicts)
    {
        var levelPolicy = policy.Sensitivity.For(facts.Level);
        var now = _timeProvider.GetUtcNow();
        var maxOutput = request.MaxOutputTokens;
        var eligible = 0;
        var allObserved = true;
        for (var i = 0; i < pool.Length; i++)
        {
            ref var verdict = ref verdicts[i];
            var deployment = pool[i];
            verdict.Deployment = deployment;
            var observed = _statistics.Get(deployment.Config.Id);
            verdict.ExpectedOutputTokens = observed.OutputSamples > 0 ? (int)Math.Ceiling(observed.OutputTokens) : 0;
            verdict.LatencyKnown = observed.Samples > 0;
            verdict.TimeToFirstByteMs = observed.TimeToFirstByteMs;
            verdict.TotalMs = observed.TotalMs;
            verdict.Exclusion = Check(policy, rule, levelPolicy, request, facts, deployment, maxOutput, now, out verdict.BlockedUntil);
            if (verdict.Exclusion == Exclusion.None)
            {
                eligible++;
                allObserved &= observed.OutputSamples > 0;
            }
        }

        // One expected output for every candidate unless each has its own history: an untried deployment scored
        // with the default against a tried one's (often smaller) average would never be chosen, however cheap.
        var shared = maxOutput ?? (request.Operation == Operation.Embeddings ? 0 : allObserved ? (int?)null : policy.Fallback.DefaultOutputTokens);
        for (var i = 0; i < pool.Length; i++)
        {
            ref var verdict = ref verdicts[i];
            verdict.ExpectedOutputTokens = shared ?? verdict.ExpectedOutputTokens;
            var price = verdict.Deployment.Config.Price;
            verdict.CostUsd = ((facts.EstimatedPromptTokens * (double)price.InputPerMillion) + (verdict.ExpectedOutputTokens * (double)price.OutputPerMillion)) / 1_000_000d;
        }

        var order = new int[eligible];
        for (int i = 0, k = 0; i < verdicts.Length; i++)
        {
            if (verdicts[i].Exclusion == Exclusion.None)
            {
                order[k++] = i;
            }
        }

        CandidateScoring.Order(rule.Rule, request.Stream, verdicts, order, _random);
        Capacity.CapacityOrdering.Apply(_load, verdicts, order, _random);
        return order;
    }

    private Exclusion Check(
        CompiledPolicy policy, CompiledRule rule, LevelPolicy levelPolicy, GatewayRequest request, in RequestFacts facts,
        Deployment deployment, int? maxOutput, DateTimeOffset now, out DateTimeOffset blockedUntil)
    {
        blockedUntil = default;
        var config = deployment.Config;
        var provider = deployment.Provider;
        if (!_adapters.CanServe(deployment, request.Protocol.Protocol))
        {
            return Exclusion.NoAdapter;
        }

        if ((config.Capabilities & facts.Needs) != facts.Needs)
        {
            return Exclusion.Capability;
        }

        if (config.ContextWindow is { } window && facts.EstimatedPromptTokens + (maxOutput ?? 0) > window)
        {
            return Exclusion.ContextWindow;
        }

        if (rule.Rule.MinTrust is { } minTrust && provider.Trust > minTrust)
        {
            return Exclusion.RuleMinTrust;
        }

        if (rule.Regions is { } regions && (provider.Region is null || !regions.Contains(provider.Region)))
        {
            return Exclusion.RuleRegion;
        }

        if (rule.MaxPricePerMillion is { } maxPrice && (config.Price.InputPerMillion > maxPrice || config.Price.OutputPerMillion > maxPrice))
        {
            return Exclusion.RuleMaxPrice;
        }

        if (!levelPolicy.Allows(provider.Trust))
        {
            return Exclusion.SensitivityTrust;
        }

        if (!levelPolicy.AllowsRegion(provider.Region))
        {
            return Exclusion.SensitivityRegion;
        }

        return _health.Check(config.Id, now, out blockedUntil) switch
        {
            HealthState.CircuitOpen => Exclusion.CircuitOpen,
            HealthState.CoolingDown => Exclusion.CoolingDown,
            _ => Exclusion.None,
        };
    }

    /// <summary>The error for a request no candidate may serve: the reason of the candidate that got furthest.</summary>
    private GatewayError Refusal(CompiledPolicy policy, GatewayRequest request, CompiledRule rule, in RequestFacts facts, ulong fired, CandidateVerdict[] verdicts)
    {
        var furthest = Exclusion.None;
        var earliest = DateTimeOffset.MaxValue;
        foreach (var verdict in verdicts)
        {
            furthest = verdict.Exclusion > furthest ? verdict.Exclusion : furthest;
            if (verdict.Exclusion is Exclusion.CircuitOpen or Exclusion.CoolingDown && verdict.BlockedUntil < earliest)
            {
                earliest = verdict.BlockedUntil;
            }
        }

        switch (furthest)
        {
            case Exclusion.CircuitOpen or Exclusion.CoolingDown:
                var wait = earliest - _timeProvider.GetUtcNow();
                return RoutingErrors.Unavailable(request.Model, wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1));
            case Exclusion.SensitivityTrust or Exclusion.SensitivityRegion:
                return RoutingErrors.SensitivityRefused(request.Model, facts.Level, policy.Detectors.NamesOf(fired), policy.Sensitivity.For(facts.Level));
            case Exclusion.RuleMinTrust or Exclusion.RuleRegion or Exclusion.RuleMaxPrice:
                return RoutingErrors.RuleRefused(request.Model, rule.Rule.Id);
            case Exclusion.ContextWindow:
                return RoutingErrors.ContextTooLong(request.Model, facts.EstimatedPromptTokens + (request.MaxOutputTokens ?? 0));
            default:
                return RequiredCapabilities.NoCapableDeployment(request.Model, facts.Needs);
        }
    }

    private static string NewDecisionId() => Requests.UniqueIds.Next("dec_");

    private void Log(GatewayRequest request, RoutingDecision decision, int[] order)
    {
        if (!_logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        var tried = string.Join(">", order.Select(i => decision.Candidates[i].Deployment.Config.Id));
        var excluded = string.Join(",", decision.Candidates
            .Where(c => c.Exclusion != Exclusion.None)
            .Select(c => c.Deployment.Config.Id + ":" + CandidateVerdict.Name(c.Exclusion)));
        var requestId = request.Id;
        LogDecision(
            decision.Id,
            requestId,
            decision.Model,
            decision.Rule.Id,
            decision.Rule.Strategy.ToString().ToLowerInvariant(),
            SensitivityNames.Name(decision.Level),
            string.Join(",", decision.FiredDetectorNames()),
            tried.Length == 0 ? "-" : tried,
            excluded.Length == 0 ? "-" : excluded,
            decision.Refusal?.Code ?? "-");
    }

    // Debug: the request line already names the decision, rule and level; this detail doubled the log volume.
    [LoggerMessage(EventId = 400, Level = LogLevel.Debug,
        Message = "Route decision {DecisionId} request={RequestId} model={Model} rule={Rule} strategy={Strategy} sensitivity={Sensitivity} " +
                  "detectors={Detectors} order={Order} excluded={Excluded} refusal={Refusal}")]
    private partial void LogDecision(
        string decisionId, string requestId, string model, string rule, string strategy, string sensitivity, string detectors, string order, string excluded, string refusal);
}
