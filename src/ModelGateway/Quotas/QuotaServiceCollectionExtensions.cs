using ModelGateway.Configuration;

namespace ModelGateway.Quotas;

/// <summary>Registers quotas and the usage ledger: Redis-backed when <c>Quotas:Redis</c> is set, in memory otherwise.</summary>
internal static class QuotaServiceCollectionExtensions
{
    public static IServiceCollection AddQuotas(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton(provider => new QuotaStores(
            provider.GetRequiredService<IGatewayConfigStore>().Current.Config.Quotas, provider.GetRequiredService<TimeProvider>()));
        services.AddHostedService<QuotaStartup>();
        services.AddSingleton<QuotaMetrics>();
        services.AddSingleton<QuotaStoreHealth>();
        services.AddSingleton<QuotaCompensator>();
        services.AddHostedService(provider => provider.GetRequiredService<QuotaCompensator>());
        services.AddHostedService<QuotaHoldSweeper>();
        services.AddSingleton<QuotaHolds>();
        services.AddSingleton<QuotaDrain>();
        services.AddSingleton<IQuotaService, QuotaService>();
        services.AddSingleton<TeamBudgetMonitor>();
        services.AddHostedService(provider => provider.GetRequiredService<TeamBudgetMonitor>());
        services.AddSingleton<Telemetry.IQuotaRemainingSource>(provider => provider.GetRequiredService<TeamBudgetMonitor>());
        return services;
    }
}
