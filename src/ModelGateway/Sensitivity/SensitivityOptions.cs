namespace ModelGateway.Sensitivity;

/// <summary>
/// The <c>Sensitivity</c> configuration section: which trust tiers (and regions) each level may go to, what the
/// content detectors imply, custom patterns, and callers' default levels.
/// </summary>
public sealed class SensitivityOptions
{
    /// <summary>Per level (<c>public</c>, <c>internal</c>, <c>confidential</c>, <c>restricted</c>): where data of that level may go.
    /// Levels left out keep their defaults.</summary>
    public Dictionary<string, SensitivityLevelOptions> Levels { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Built-in detector name to the level it implies, or <c>off</c>. Detectors left out keep their defaults.</summary>
    public Dictionary<string, string> Detectors { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Custom detectors: name to a .NET regular expression and the level a match implies.</summary>
    public Dictionary<string, SensitivityPatternOptions> Patterns { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Longest time one custom pattern may spend on one text part; a pattern that times out counts as a match.</summary>
    public TimeSpan? PatternTimeout { get; set; }

    /// <summary>Client key id to the lowest level its requests carry.</summary>
    public Dictionary<string, string> KeyDefaults { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Team id to the lowest level the requests of its keys carry.</summary>
    public Dictionary<string, string> TeamDefaults { get; init; } = new(StringComparer.Ordinal);
}

public sealed class SensitivityLevelOptions
{
    /// <summary>Trust tiers allowed for the level: <c>self-hosted</c>, <c>contracted</c>, <c>public</c>.</summary>
    public List<string>? Trust { get; set; }

    /// <summary>When set, only providers in these regions may receive data of this level.</summary>
    public List<string>? Regions { get; set; }
}

public sealed class SensitivityPatternOptions
{
    public string? Regex { get; set; }

    public string? Level { get; set; }
}
