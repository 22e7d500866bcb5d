using System.Collections.Immutable;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.Providers;
using ModelGateway.Requests;

namespace ModelGateway.Routing;

/// <summary>
/// The simplest routing: every deployment of the requested model (or alias) that has the capabilities the
/// request needs and a provider kind this build can speak, in priority order.
/// </summary>
internal sealed class PriorityRoutePlanner : IRoutePlanner
{
    private readonly ProviderAdapters _adapters;

    public PriorityRoutePlanner(ProviderAdapters adapters)
    {
        _adapters = adapters;
    }

    public RoutePlan Plan(RouteRequest request)
    {
        var deployments = request.Snapshot.DeploymentsFor(request.Model);
        if (deployments.IsEmpty)
        {
            return RoutePlan.Refuse(GatewayError.ModelNotFound(request.Model));
        }

        var required = RequiredCapabilities.Of(request.Operation, request.Chat);
        var builder = ImmutableArray.CreateBuilder<Deployment>(deployments.Length);
        foreach (var deployment in deployments)
        {
            if ((deployment.Config.Capabilities & required) == required && _adapters.CanServe(deployment, request.Operation))
            {
                builder.Add(deployment);
            }
        }

        return builder.Count == 0
            ? RoutePlan.Refuse(RequiredCapabilities.NoCapableDeployment(request.Model, required))
            : RoutePlan.Try(builder.DrainToImmutable());
    }
}
