namespace ModelGateway.Routing;

/// <summary>
/// Reports the circuit breaker state of deployments for the <c>modelgateway.circuit.state</c> gauge. Read on each
/// metrics collection (a scrape), not per request. The default reports nothing; the resilience layer replaces it.
/// </summary>
internal interface ICircuitStateSource
{
    IReadOnlyList<DeploymentCircuitState> Read();
}

/// <summary>A deployment's breaker state; the gauge value is the enum's number.</summary>
internal readonly record struct DeploymentCircuitState(string DeploymentId, BreakerState State);

internal enum BreakerState
{
    Closed = 0,
    HalfOpen = 1,
    Open = 2,
    Isolated = 3,
}

/// <summary>No breakers configured: nothing to report.</summary>
internal sealed class NoCircuitStateSource : ICircuitStateSource
{
    public IReadOnlyList<DeploymentCircuitState> Read() => [];
}
