using System.Collections.Immutable;

namespace ModelGateway.Configuration;

/// <summary>One model served by one provider, with its price and what it can do.</summary>
public sealed record DeploymentConfig
{
    public required string Id { get; init; }

    public required string ProviderId { get; init; }

    /// <summary>Public model names this deployment answers to.</summary>
    public required ImmutableArray<string> Models { get; init; }

    /// <summary>The model name sent upstream in place of the public one.</summary>
    public required string UpstreamModel { get; init; }

    public required ModelPrice Price { get; init; }

    /// <summary>Context window in tokens, when known.</summary>
    public int? ContextWindow { get; init; }

    public required ModelCapabilities Capabilities { get; init; }

    /// <summary>Lower is tried first when several deployments serve the same model.</summary>
    public int Priority { get; init; }

    /// <summary>Saturation thresholds and where the load is read; null when the deployment has no capacity limits.</summary>
    public ModelGateway.Routing.Capacity.CapacityConfig? Capacity { get; init; }
}
