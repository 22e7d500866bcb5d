using ModelGateway.Configuration;
using ModelGateway.Providers;

namespace ModelGateway.Routing;

/// <summary>
/// Whether the gateway can serve anything now, for <c>/readyz</c>: at least one configured deployment whose
/// provider kind has an adapter and whose circuit breaker is not open. A deployment cooling down after a
/// <c>retry-after</c> still counts (the wait is short and the hint is the upstream's); an open breaker's break
/// ends by itself, so readiness returns without traffic.
/// </summary>
internal sealed class Readiness
{
    private readonly ProviderAdapters _adapters;
    private readonly DeploymentHealth _health;
    private readonly TimeProvider _timeProvider;

    public Readiness(ProviderAdapters adapters, DeploymentHealth health, TimeProvider timeProvider)
    {
        _adapters = adapters;
        _health = health;
        _timeProvider = timeProvider;
    }

    /// <summary>"ready", "no_deployments" (none configured) or "no_available_deployments" (none can be tried now).</summary>
    public string Status(GatewayConfig config)
    {
        if (config.Deployments.IsEmpty)
        {
            return "no_deployments";
        }

        var now = _timeProvider.GetUtcNow();
        foreach (var deployment in config.Deployments.Values)
        {
            if (config.Providers.TryGetValue(deployment.ProviderId, out var provider)
                && _adapters.For(provider.Kind) is not null
                && _health.Check(deployment.Id, now, out _) != HealthState.CircuitOpen)
            {
                return "ready";
            }
        }

        return "no_available_deployments";
    }
}
