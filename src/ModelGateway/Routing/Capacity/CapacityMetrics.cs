using System.Diagnostics.Metrics;
using ModelGateway.Configuration;

namespace ModelGateway.Routing.Capacity;

/// <summary>
/// <c>modelgateway.routing.spillovers</c>: requests that passed over a saturated deployment, by that deployment, and
/// <c>modelgateway.routing.self_hosted_attempts</c>: attempts by trust tier, for the self-hosted share.
/// </summary>
internal sealed class CapacityMetrics
{
    private readonly Counter<long> _spillovers;

    public CapacityMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Telemetry.GatewayMetrics.MeterName);
        _spillovers = meter.CreateCounter<long>("modelgateway.routing.spillovers", "{request}", "Requests that passed over a saturated deployment for another one.");
    }

    /// <summary>Counts each saturated candidate of a decision that was passed over.</summary>
    public void RecordSpillOvers(RoutingDecision? decision)
    {
        if (decision is null || !_spillovers.Enabled)
        {
            return;
        }

        foreach (var verdict in decision.Candidates)
        {
            if (verdict.Saturated is not null)
            {
                RecordSpillOver(verdict.Deployment);
            }
        }
    }

    public void RecordSpillOver(Deployment deployment)
    {
        if (_spillovers.Enabled)
        {
            _spillovers.Add(1, new KeyValuePair<string, object?>("deployment", deployment.Config.Id));
        }
    }
}
