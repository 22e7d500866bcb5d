using System.Diagnostics.Metrics;
using ModelGateway.Configuration;

namespace ModelGateway.Routing.Capacity;

/// <summary>
/// <c>modelgateway.routing.spillovers</c>: requests that passed over a saturated deployment, by that deployment (listed
/// in <c>GatewayMetrics.Instruments</c> from the constants here). The self-hosted share comes from
/// <c>modelgateway.requests</c> by <c>trust_tier</c>.
/// </summary>
internal sealed class CapacityMetrics
{
    public const string SpilloversName = "modelgateway.routing.spillovers";
    public const string SpilloversUnit = "{request}";
    public const string SpilloversDescription = "Requests that passed over a saturated deployment for another one, by the deployment passed over.";

    private readonly Counter<long> _spillovers;

    public CapacityMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Telemetry.GatewayMetrics.MeterName);
        _spillovers = meter.CreateCounter<long>(SpilloversName, SpilloversUnit, SpilloversDescription);
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
