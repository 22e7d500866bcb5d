using System.Collections.Immutable;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor;

namespace ModelGateway.Routing;

/// <summary>The deployments to try, in order, or the reason the request may not be served at all.</summary>
internal sealed class RoutePlan
{
    private RoutePlan(ImmutableArray<Deployment> candidates, GatewayError? refusal)
    {
        Candidates = candidates;
        Refusal = refusal;
    }

    public ImmutableArray<Deployment> Candidates { get; }

    /// <summary>Set when no deployment may serve the request; <see cref="Candidates"/> is then empty.</summary>
    public GatewayError? Refusal { get; }

    public static RoutePlan Try(ImmutableArray<Deployment> candidates) => new(candidates, null);

    public static RoutePlan Refuse(GatewayError refusal) => new([], refusal);
}
