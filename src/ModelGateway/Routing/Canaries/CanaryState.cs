namespace ModelGateway.Routing.Canaries;

/// <summary>
/// One rule's canary on this replica, for one canary configuration: the guard window and the override, if a guard
/// has been breached (here, or on another replica through Redis). A changed configuration gets a new state.
/// </summary>
internal sealed class CanaryState
{
    private readonly Lock _lock = new();
    private readonly CanaryWindow _window = new();
    private CanaryOverride? _override;

    public CanaryState(string rule, CanaryRule canary)
    {
        Rule = rule;
        Canary = canary;
    }

    public string Rule { get; }

    public CanaryRule Canary { get; }

    /// <summary>The override in force; null while the configured share holds.</summary>
    public CanaryOverride? Override => Volatile.Read(ref _override);

    public double PercentInForce => Override is null ? Canary.Percent : 0;

    /// <summary>Guards are judged while there is a share to take away (the window still fills, for the figures).</summary>
    private bool Judged => Override is null && Canary.Percent > 0;

    /// <summary>Adds an attempt's outcome; the breached guard when this is the outcome that breaches one.</summary>
    public CanaryBreach? Record(DateTimeOffset at, bool error, double latencyMs, double? ttftMs)
    {
        lock (_lock)
        {
            _window.Add(at, error, latencyMs, ttftMs);
            return Judged ? _window.Measure(at - Canary.Guards.Window).Breach(Canary.Guards) : null;
        }
    }

    public CanaryBreach? RecordPair(DateTimeOffset at, bool agrees)
    {
        lock (_lock)
        {
            _window.AddPair(at, agrees);
            return Judged ? _window.Measure(at - Canary.Guards.Window).Breach(Canary.Guards) : null;
        }
    }

    public CanaryFigures Figures(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _window.Measure(now - Canary.Guards.Window);
        }
    }

    /// <summary>Sets the override unless one is in force already; true when this call set it.</summary>
    public bool TrySetOverride(CanaryOverride value) =>
        value.Fingerprint == Canary.Fingerprint && Interlocked.CompareExchange(ref _override, value, null) is null;
}
