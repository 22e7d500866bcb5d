using System.Collections.Immutable;
using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Routing;

/// <summary>The deployments to try, in order, or the reason the request may not be served at all.</summary>
internal sealed class RoutePlan
{
    private RoutePlan(ImmutableArray<Deployment> candidates, GatewayError? refusal, RoutingDecision? decision, int maxAttempts, TimeSpan timeBudget)
    {
        Candidates = candidates;
        Refusal = refusal;
        Decision = decision;
        MaxAttempts = maxAttempts;
        TimeBudget = timeBudget;
    }

    public ImmutableArray<Deployment> Candidates { get; }

    /// <summary>Set when no deployment may serve the request; <see cref="Candidates"/> is then empty.</summary>
    public GatewayError? Refusal { get; }

    /// <summary>How the policy engine reached this plan (for headers, logs and the explain endpoint); null for simple planners.</summary>
    public RoutingDecision? Decision { get; }

    /// <summary>Most upstream attempts for this request, fallbacks included.</summary>
    public int MaxAttempts { get; }

    /// <summary>No new attempt starts once this much time has passed since the first one.</summary>
    public TimeSpan TimeBudget { get; }

    public static RoutePlan Try(ImmutableArray<Deployment> candidates) => new(candidates, null, null, int.MaxValue, Timeout.InfiniteTimeSpan);

    /// <summary>A plan with budgets: at most <paramref name="maxAttempts"/> attempts, none started after <paramref name="timeBudget"/>.</summary>
    public static RoutePlan Try(ImmutableArray<Deployment> candidates, RoutingDecision? decision, int maxAttempts, TimeSpan timeBudget) =>
        new(candidates, null, decision, maxAttempts, timeBudget);

    public static RoutePlan Refuse(GatewayError refusal, RoutingDecision? decision = null) => new([], refusal, decision, 0, TimeSpan.Zero);
}
