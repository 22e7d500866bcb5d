using ModelGateway.Pipeline;

namespace ModelGateway.Routing;

/// <summary>
/// Decides which deployments may serve a request, and in which order to try them. Synchronous and cheap:
/// it runs on every request, after classification and before any upstream call.
/// </summary>
internal interface IRoutePlanner
{
    RoutePlan Plan(GatewayRequest request);
}
