namespace ModelGateway.Routing;

/// <summary>
/// A rule's guarded canary (<c>Routes:&lt;id&gt;:Canary</c>): <see cref="Percent"/> of the rule's requests put
/// <see cref="Deployment"/> first (the rule's ordinary order stays the fallback); a breached guard sets the share to 0.
/// </summary>
public sealed class RouteCanaryOptions
{
    /// <summary>The candidate deployment; it must serve the rule's models.</summary>
    public string? Deployment { get; set; }

    /// <summary>Share of the rule's requests sent to the candidate first, 0 to 100.</summary>
    public double Percent { get; set; }

    public CanaryGuardsOptions Guards { get; init; } = new();
}
