using System.Collections.Immutable;
using ModelGateway.Configuration;
using ModelGateway.Sensitivity;

namespace ModelGateway.Routing;

/// <summary>The validated routing part of the configuration: rules, sensitivity policy and fallback budgets.</summary>
public sealed record RoutingPolicy
{
    /// <summary>In evaluation order (ascending Order, then id).</summary>
    public required ImmutableArray<RouteRule> Rules { get; init; }

    public required SensitivityPolicy Sensitivity { get; init; }

    public required FallbackPolicy Fallback { get; init; }

    public static RoutingPolicy Default { get; } = new()
    {
        Rules = [],
        Sensitivity = SensitivityPolicy.Default,
        Fallback = new FallbackPolicy(),
    };
}

public enum RouteStrategy
{
    Ordered,
    Cheapest,
    Fastest,
    Weighted,
}

/// <summary>One rule: when it applies, which deployments it offers, the limits on them and how to order them.</summary>
public sealed record RouteRule
{
    public required string Id { get; init; }

    public int Order { get; init; }

    public ImmutableArray<string> Models { get; init; } = [];

    public ImmutableArray<string> Keys { get; init; } = [];

    public ImmutableArray<string> Teams { get; init; } = [];

    public ImmutableDictionary<string, string> Metadata { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Empty means any level.</summary>
    public ImmutableArray<SensitivityLevel> Sensitivity { get; init; } = [];

    public ModelCapabilities Needs { get; init; }

    public int? MinPromptTokens { get; init; }

    public int? MaxPromptTokens { get; init; }

    /// <summary>Inbound protocols the rule applies to; empty means any.</summary>
    public ImmutableArray<Requests.InboundProtocol> Protocols { get; init; } = [];

    /// <summary>Explicit candidates in preference order; empty means the deployments of the requested model.</summary>
    public ImmutableArray<string> Deployments { get; init; } = [];

    public TrustTier? MinTrust { get; init; }

    public ImmutableArray<string> Regions { get; init; } = [];

    public decimal? MaxPricePerMillion { get; init; }

    public RouteStrategy Strategy { get; init; }

    public double CostWeight { get; init; } = 1;

    public double LatencyWeight { get; init; } = 1;

    public double PriorityWeight { get; init; }

    public bool Spread { get; init; } = true;

    /// <summary>The rule's capture choice; null when unset (the key's or team's own setting wins either way).</summary>
    public bool? Capture { get; init; }

    /// <summary>The rule's guarded canary, if any.</summary>
    public CanaryRule? Canary { get; init; }

    /// <summary>Used when no configured rule matches: the requested model's deployments in priority order.</summary>
    public static RouteRule BuiltInDefault { get; } = new() { Id = "default", Order = int.MaxValue, Strategy = RouteStrategy.Ordered };
}

public sealed record FallbackPolicy
{
    public int MaxAttempts { get; init; } = 3;

    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromSeconds(120);

    public int DefaultOutputTokens { get; init; } = 256;

    public TimeSpan MaxCoolDown { get; init; } = TimeSpan.FromMinutes(5);

    public double BreakerFailureRatio { get; init; } = 0.5;

    public int BreakerMinimumThroughput { get; init; } = 5;

    public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakerBreakDuration { get; init; } = TimeSpan.FromSeconds(30);
}
