using System.Collections.Immutable;
using System.Text.RegularExpressions;
using ModelGateway.Configuration;

namespace ModelGateway.Sensitivity;

/// <summary>
/// The validated sensitivity policy: for each level, the trust tiers and regions allowed; the detectors that run
/// over message text and the level each implies; and callers' default levels. Immutable.
/// </summary>
public sealed record SensitivityPolicy
{
    /// <summary>Indexed by <see cref="SensitivityLevel"/>.</summary>
    public required ImmutableArray<LevelPolicy> Levels { get; init; }

    /// <summary>Enabled detectors, built-in first, then custom patterns in name order.</summary>
    public required ImmutableArray<DetectorRule> Detectors { get; init; }

    public required ImmutableDictionary<string, SensitivityLevel> KeyDefaults { get; init; }

    public ImmutableDictionary<string, SensitivityLevel> TeamDefaults { get; init; } = ImmutableDictionary<string, SensitivityLevel>.Empty;

    public static SensitivityPolicy Default { get; } = SensitivityPolicyBuilder.Build(new SensitivityOptions(), []);

    public LevelPolicy For(SensitivityLevel level) => Levels[(int)level];
}

/// <summary>Where data of one level may go.</summary>
public sealed record LevelPolicy(SensitivityLevel Level, ImmutableArray<TrustTier> Trust, ImmutableArray<string> Regions)
{
    /// <summary>True when <paramref name="tier"/> may receive data of this level.</summary>
    public bool Allows(TrustTier tier) => Trust.Contains(tier);

    /// <summary>
    /// True when data of this level may go to <paramref name="provider"/>: its trust tier and its region are both
    /// allowed. The route planner applies the two checks one by one (to say which failed); every other path that
    /// sends a request's content somewhere (shadow calls, judges, embeddings) applies this.
    /// </summary>
    public bool Permits(ProviderConfig provider) => Allows(provider.Trust) && AllowsRegion(provider.Region);

    /// <summary>True when no region list is set, or the provider's region is on it.</summary>
    public bool AllowsRegion(string? region) =>
        Regions.IsDefaultOrEmpty || (region is not null && Regions.Contains(region, StringComparer.OrdinalIgnoreCase));
}

/// <summary>One enabled detector: a built-in name (Pattern null) or a custom regular expression.</summary>
public sealed record DetectorRule(string Name, SensitivityLevel Level, Regex? Pattern);
