using ModelGateway.Quotas;

namespace ModelGateway.Accounting;

/// <summary>Registers the usage ledger: Redis when quotas use Redis, otherwise the in-memory ledger.</summary>
internal static class UsageLedgerServiceCollectionExtensions
{
    public static IServiceCollection AddUsageLedger(this IServiceCollection services)
    {
        services.AddSingleton<InMemoryUsageLedger>();
        services.AddSingleton<RedisUsageLedger>();
        services.AddSingleton<IUsageLedger>(provider => provider.GetRequiredService<QuotaStores>().IsShared
            ? provider.GetRequiredService<RedisUsageLedger>()
            : provider.GetRequiredService<InMemoryUsageLedger>());
        services.AddSingleton<IUsageRecorder>(provider => (IUsageRecorder)provider.GetRequiredService<IUsageLedger>());
        return services;
    }
}
