namespace ModelGateway.Experiments;

/// <summary>Registers shadow experiments: the sampler on the request path, the background runners, comparison and storage.</summary>
internal static class ExperimentServices
{
    public static IServiceCollection AddExperiments(this IServiceCollection services)
    {
        services.AddSingleton<ActiveExperiments>();
        services.AddSingleton<CanarySync>();
        services.AddHostedService(provider => provider.GetRequiredService<CanarySync>());
        services.AddSingleton<ExperimentMetrics>();
        services.AddSingleton<ExperimentStore>();
        services.AddHostedService(provider => provider.GetRequiredService<ExperimentStore>());
        services.AddSingleton<ExperimentSpend>();
        services.AddSingleton<ShadowCaller>();
        services.AddSingleton<PairJudge>();
        services.AddSingleton<ShadowEvaluator>();
        services.AddSingleton<ExperimentRunners>();
        services.AddHostedService(provider => provider.GetRequiredService<ExperimentRunners>());
        services.AddSingleton(provider => new GatewayCpu(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new ShadowSampler(
            WithRetirement(provider.GetRequiredService<ActiveExperiments>(), provider.GetRequiredService<ExperimentRunners>()),
            provider.GetRequiredService<ExperimentRunners>(),
            provider.GetRequiredService<ExperimentMetrics>(),
            provider.GetRequiredService<GatewayCpu>(),
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ReplayService>();
        services.AddHostedService(provider => provider.GetRequiredService<ReplayService>());
        return services;
    }

    private static ActiveExperiments WithRetirement(ActiveExperiments active, ExperimentRunners runners)
    {
        active.Changed = runners.Retire;
        return active;
    }
}
