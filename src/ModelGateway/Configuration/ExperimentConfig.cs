using System.Collections.Immutable;
using ModelGateway.Routing;

namespace ModelGateway.Configuration;

/// <summary>One validated experiment. Immutable; a change builds a new one (and a new shadow runner).</summary>
public sealed record ExperimentConfig
{
    public required string Id { get; init; }

    public bool Enabled { get; init; }

    /// <summary>The match, as a rule that only matches (no candidates or strategy of its own).</summary>
    public required RouteRule Match { get; init; }

    public required ImmutableArray<string> Candidates { get; init; }

    public double SampleRate { get; init; }

    public int MaxConcurrentShadowCalls { get; init; }

    public decimal MaxShadowSpendUsdPerDay { get; init; }

    public string? EmbeddingsDeployment { get; init; }

    public string? JudgeDeployment { get; init; }

    public TimeSpan ShadowTimeout { get; init; }

    public int QueueCapacity { get; init; }

    /// <summary>The CPU share (0 to 1) of this process above which sampled requests are not shadowed.</summary>
    public double MaxGatewayCpu { get; init; } = 1;

    /// <summary>Identifies the settings the shadow runner was built for: a change of any of them starts a new runner.</summary>
    public string RunnerKey => $"{Id}|{MaxConcurrentShadowCalls}|{QueueCapacity}";
}
