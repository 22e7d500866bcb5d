using ModelGateway.Configuration;

namespace ModelGateway.Routing;

/// <summary>Why a candidate was left out, in the order the checks run (a later check means the candidate got further).</summary>
internal enum Exclusion
{
    None,
    NoAdapter,
    Capability,
    ContextWindow,
    RuleMinTrust,
    RuleRegion,
    RuleMaxPrice,
    SensitivityTrust,
    SensitivityRegion,
    CircuitOpen,
    CoolingDown,
}

/// <summary>One candidate of a decision: its score parts when eligible, or why it was excluded.</summary>
internal struct CandidateVerdict
{
    public Deployment Deployment;
    public Exclusion Exclusion;
    public int ExpectedOutputTokens;
    public double CostUsd;
    public bool LatencyKnown;
    public double TimeToFirstByteMs;
    public double TotalMs;
    public double Score;
    public DateTimeOffset BlockedUntil;

    /// <summary>1-based position in the try order; 0 when excluded.</summary>
    public int Rank;

    /// <summary>The load routing saw, for a deployment with <c>Capacity</c> settings.</summary>
    public Capacity.LoadFigures Load;

    /// <summary>Why the deployment was passed over as saturated (e.g. <c>waiting 3 &gt;= 2</c>); null when it has room.</summary>
    public string? Saturated;

    public static string Name(Exclusion exclusion) => exclusion switch
    {
        Exclusion.None => "none",
        Exclusion.NoAdapter => "no_adapter",
        Exclusion.Capability => "capability",
        Exclusion.ContextWindow => "context_window",
        Exclusion.RuleMinTrust => "rule_min_trust",
        Exclusion.RuleRegion => "rule_region",
        Exclusion.RuleMaxPrice => "rule_max_price",
        Exclusion.SensitivityTrust => "sensitivity_trust",
        Exclusion.SensitivityRegion => "sensitivity_region",
        Exclusion.CircuitOpen => "circuit_open",
        Exclusion.CoolingDown => "cooling_down",
        _ => "unknown",
    };
}
