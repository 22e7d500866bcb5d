using PollyCircuitState = Polly.CircuitBreaker.CircuitState;

namespace ModelGateway.Routing;

/// <summary>Reports the per-deployment Polly breakers to the <c>modelgateway.circuit.state</c> gauge.</summary>
internal sealed class BreakerStateSource : ICircuitStateSource
{
    private readonly DeploymentHealth _health;

    public BreakerStateSource(DeploymentHealth health)
    {
        _health = health;
    }

    public IReadOnlyList<DeploymentCircuitState> Read()
    {
        var breakers = _health.BreakerStates();
        var states = new DeploymentCircuitState[breakers.Count];
        for (var i = 0; i < breakers.Count; i++)
        {
            var (id, state) = breakers[i];
            states[i] = new DeploymentCircuitState(id, state switch
            {
                PollyCircuitState.Open => BreakerState.Open,
                PollyCircuitState.HalfOpen => BreakerState.HalfOpen,
                PollyCircuitState.Isolated => BreakerState.Isolated,
                _ => BreakerState.Closed,
            });
        }

        return states;
    }
}
