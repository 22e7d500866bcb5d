using System.Collections.Immutable;
using System.Text.RegularExpressions;
using ModelGateway.Configuration;
using ModelGateway.Sensitivity.Detectors;

namespace ModelGateway.Sensitivity;

/// <summary>Validates <see cref="SensitivityOptions"/> into a <see cref="SensitivityPolicy"/>, collecting every error.</summary>
internal static class SensitivityPolicyBuilder
{
    public const int MaxDetectors = 64;
    private static readonly TimeSpan DefaultPatternTimeout = TimeSpan.FromMilliseconds(50);

    public static SensitivityPolicy Build(SensitivityOptions options, ICollection<string> keyIds, ICollection<string>? teamIds = null)
    {
        var errors = new List<string>();
        var policy = TryBuild(options, keyIds, teamIds ?? [], errors);
        return errors.Count == 0 ? policy! : throw new GatewayConfigException(errors);
    }

    public static SensitivityPolicy? TryBuild(SensitivityOptions options, ICollection<string> keyIds, ICollection<string> teamIds, List<string> errors)
    {
        var errorCount = errors.Count;
        var levels = DefaultLevels();
        foreach (var (name, levelOptions) in options.Levels)
        {
            if (!SensitivityNames.TryParse(name, out var level))
            {
                errors.Add($"Sensitivity:Levels:{name} is not a level (public, internal, confidential, restricted).");
                continue;
            }

            var trust = levels[(int)level].Trust;
            if (levelOptions.Trust is { } tiers)
            {
                var parsed = ImmutableArray.CreateBuilder<TrustTier>();
                foreach (var tier in tiers)
                {
                    if (ConfigNames.TryParseTrust(tier, out var t))
                    {
                        parsed.Add(t);
                    }
                    else
                    {
                        errors.Add($"Sensitivity:Levels:{name}:Trust '{tier}' is not one of: self-hosted, contracted, public.");
                    }
                }

                trust = parsed.ToImmutable();
                if (tiers.Count == 0)
                {
                    errors.Add($"Sensitivity:Levels:{name}:Trust allows no tier: every request of that level would be refused; allow at least one of self-hosted, contracted, public.");
                }
            }

            levels[(int)level] = new LevelPolicy(level, trust, [.. options.Levels[name].Regions ?? []]);
        }

        for (var i = 1; i < levels.Length; i++)
        {
            foreach (var tier in levels[i].Trust)
            {
                if (!levels[i - 1].Allows(tier))
                {
                    errors.Add($"Sensitivity:Levels: '{SensitivityNames.Name(levels[i].Level)}' allows '{ConfigNames.Name(tier)}' but the less sensitive " +
                               $"'{SensitivityNames.Name(levels[i - 1].Level)}' does not; a more sensitive level must allow a subset.");
                }
            }
        }

        var detectors = ImmutableArray.CreateBuilder<DetectorRule>();
        foreach (var name in options.Detectors.Keys)
        {
            if (BuiltInDetectors.Find(name) is null)
            {
                errors.Add($"Sensitivity:Detectors:{name} is not a built-in detector ({string.Join(", ", BuiltInDetectors.All.Select(d => d.Detector.Name))}).");
            }
        }

        foreach (var (detector, defaultLevel) in BuiltInDetectors.All)
        {
            var level = defaultLevel;
            if (options.Detectors.TryGetValue(detector.Name, out var setting))
            {
                if (string.Equals(setting, "off", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (!TryParse(setting, out level))
                {
                    errors.Add($"Sensitivity:Detectors:{detector.Name} '{setting}' must be a level or 'off'.");
                }
            }

            detectors.Add(new DetectorRule(detector.Name, level, null));
        }

        var timeout = options.PatternTimeout ?? DefaultPatternTimeout;
        if (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromSeconds(10))
        {
            errors.Add("Sensitivity:PatternTimeout must be between 00:00:00.001 and 00:00:10.");
            timeout = DefaultPatternTimeout;
        }

        foreach (var (name, pattern) in options.Patterns.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var prefix = $"Sensitivity:Patterns:{name}";
            if (BuiltInDetectors.Find(name) is not null)
            {
                errors.Add($"{prefix}: the name is taken by a built-in detector.");
            }

            if (!TryParse(pattern.Level, out var level))
            {
                errors.Add($"{prefix}:Level '{pattern.Level}' is not a level (public, internal, confidential, restricted).");
            }

            if (string.IsNullOrEmpty(pattern.Regex))
            {
                errors.Add($"{prefix}:Regex is required.");
                continue;
            }

            try
            {
                // NonBacktracking: linear time in the input, so a pattern cannot be made to run away by a prompt;
                // the timeout is a second fence. Multiline: the scanner joins a body's strings one per line, so ^ and $
                // still match at the start and end of each string.
                var regex = new Regex(pattern.Regex, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Multiline, timeout);
                detectors.Add(new DetectorRule(name, level, regex));
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                errors.Add($"{prefix}:Regex is not a valid pattern for the non-backtracking engine: {ex.Message}");
            }
        }

        if (detectors.Count > MaxDetectors)
        {
            errors.Add($"Sensitivity: at most {MaxDetectors} detectors (built-in plus patterns) may be enabled.");
        }

        var keyDefaults = ImmutableDictionary.CreateBuilder<string, SensitivityLevel>(StringComparer.Ordinal);
        foreach (var (keyId, value) in options.KeyDefaults)
        {
            if (!keyIds.Contains(keyId))
            {
                errors.Add($"Sensitivity:KeyDefaults:{keyId} is not a configured key.");
            }
            else if (!TryParse(value, out var level))
            {
                errors.Add($"Sensitivity:KeyDefaults:{keyId} '{value}' is not a level (public, internal, confidential, restricted).");
            }
            else
            {
                keyDefaults.Add(keyId, level);
            }
        }

        var teamDefaults = ImmutableDictionary.CreateBuilder<string, SensitivityLevel>(StringComparer.Ordinal);
        foreach (var (teamId, value) in options.TeamDefaults)
        {
            if (!teamIds.Contains(teamId))
            {
                errors.Add($"Sensitivity:TeamDefaults:{teamId} is not a configured team.");
            }
            else if (!TryParse(value, out var level))
            {
                errors.Add($"Sensitivity:TeamDefaults:{teamId} '{value}' is not a level (public, internal, confidential, restricted).");
            }
            else
            {
                teamDefaults.Add(teamId, level);
            }
        }

        return errors.Count > errorCount
            ? null
            : new SensitivityPolicy
            {
                Levels = [.. levels],
                Detectors = detectors.ToImmutable(),
                KeyDefaults = keyDefaults.ToImmutable(),
                TeamDefaults = teamDefaults.ToImmutable(),
            };
    }

    /// <summary>Defaults: restricted and confidential only self-hosted, internal also contracted, public anywhere.</summary>
    private static LevelPolicy[] DefaultLevels() =>
    [
        new(SensitivityLevel.Public, [TrustTier.SelfHosted, TrustTier.Contracted, TrustTier.Public], []),
        new(SensitivityLevel.Internal, [TrustTier.SelfHosted, TrustTier.Contracted], []),
        new(SensitivityLevel.Confidential, [TrustTier.SelfHosted], []),
        new(SensitivityLevel.Restricted, [TrustTier.SelfHosted], []),
    ];

    private static bool TryParse(string? value, out SensitivityLevel level)
    {
        level = default;
        return value is not null && SensitivityNames.TryParse(value, out level);
    }
}
