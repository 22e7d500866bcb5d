namespace ModelGateway.Routing.Canaries;

/// <summary>
/// A canary's share forced to 0 by a breached guard, for the canary configuration with <see cref="Fingerprint"/>.
/// Stored in Redis (JSON) when <c>Quotas:Redis</c> is set, so every replica applies it.
/// </summary>
internal sealed record CanaryOverride
{
    public required string Rule { get; init; }

    public required string Deployment { get; init; }

    public required string Fingerprint { get; init; }

    public required string Guard { get; init; }

    public required double Figure { get; init; }

    public required double Limit { get; init; }

    public required int Count { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The replica that saw the breach (its machine name and process id).</summary>
    public required string Replica { get; init; }

    /// <summary>The canary's share was since set to 0 in the configuration: the record stays, to say what happened, but holds nothing.</summary>
    public bool Cleared { get; init; }
}
