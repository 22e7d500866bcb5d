namespace ModelGateway.Routing;

/// <summary>Registers the policy engine: planner, latency statistics, circuit breakers and randomness.</summary>
internal static class RoutingServices
{
    public static IServiceCollection AddRoutingPolicy(this IServiceCollection services)
    {
        services.AddSingleton<CompiledPolicies>();
        services.AddSingleton<RequestClassifier>();
        services.AddSingleton<IRoutePlanner, PolicyRoutePlanner>();
        services.AddSingleton<DeploymentStatistics>();
        services.AddSingleton<DeploymentHealth>();
        services.AddSingleton<Canaries.CanaryMonitor>();
        services.AddSingleton<Providers.IUpstreamAttemptListener>(sp => sp.GetRequiredService<Canaries.CanaryMonitor>());
        services.AddSingleton<Readiness>();
        services.AddSingleton<Providers.IUpstreamAttemptListener>(sp => sp.GetRequiredService<DeploymentStatistics>());
        services.AddSingleton<Providers.IUpstreamAttemptListener>(sp => sp.GetRequiredService<DeploymentHealth>());
        services.AddSingleton<IRoutingRandom, SharedRoutingRandom>();
        services.AddSingleton<Capacity.DeploymentLoad>();
        services.AddSingleton<Capacity.CapacityMetrics>();
        services.AddHostedService<Capacity.LoadMetricsPoller>();
        services.AddHttpClient(Capacity.LoadMetricsPoller.HttpClientName);
        services.AddSingleton<ICircuitStateSource, BreakerStateSource>();
        return services;
    }
}
