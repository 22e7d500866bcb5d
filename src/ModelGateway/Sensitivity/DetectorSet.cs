using ModelGateway.Sensitivity.Detectors;

namespace ModelGateway.Sensitivity;

/// <summary>The enabled detectors of one configuration, ready to run; detector i fires bit i of a mask.</summary>
internal sealed class DetectorSet
{
    public DetectorSet(SensitivityPolicy policy)
    {
        var detectors = new ContentDetector[policy.Detectors.Length];
        var levels = new SensitivityLevel[detectors.Length];
        for (var i = 0; i < detectors.Length; i++)
        {
            var rule = policy.Detectors[i];
            detectors[i] = rule.Pattern is { } regex ? new PatternDetector(rule.Name, regex) : BuiltInDetectors.Find(rule.Name)!;
            levels[i] = rule.Level;
        }

        Detectors = detectors;
        Levels = levels;
        AllFired = detectors.Length == 64 ? ulong.MaxValue : (1UL << detectors.Length) - 1;
    }

    public IReadOnlyList<ContentDetector> Detectors { get; }

    public IReadOnlyList<SensitivityLevel> Levels { get; }

    public ulong AllFired { get; }

    /// <summary>Runs every detector that has not fired yet over one text part.</summary>
    public ulong Run(ReadOnlySpan<byte> text, ulong fired)
    {
        var detectors = Detectors;
        for (var i = 0; i < detectors.Count; i++)
        {
            var bit = 1UL << i;
            if ((fired & bit) == 0 && detectors[i].IsMatch(text))
            {
                fired |= bit;
            }
        }

        return fired;
    }

    /// <summary>The highest level implied by the fired detectors.</summary>
    public SensitivityLevel LevelOf(ulong fired)
    {
        var level = SensitivityLevel.Public;
        for (var i = 0; fired != 0 && i < Levels.Count; i++, fired >>= 1)
        {
            if ((fired & 1) != 0)
            {
                level = SensitivityNames.Max(level, Levels[i]);
            }
        }

        return level;
    }

    /// <summary>Names of the fired detectors (for explanations and logs; never the matched text).</summary>
    public List<string> NamesOf(ulong fired)
    {
        var names = new List<string>();
        for (var i = 0; i < Detectors.Count; i++)
        {
            if ((fired & (1UL << i)) != 0)
            {
                names.Add(Detectors[i].Name);
            }
        }

        return names;
    }
}
