using Microsoft.Extensions.Options;
using ModelGateway.Pipeline;

namespace ModelGateway.Accounting;

/// <summary>Registers the ledger: the database chosen by <c>Ledger:Provider</c>, its background writer and the request-log listener.</summary>
internal static class UsageLedgerServiceCollectionExtensions
{
    public static IServiceCollection AddUsageLedger(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LedgerOptions>().Bind(configuration.GetSection(LedgerOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<LedgerOptions>, LedgerOptionsValidator>();
        services.AddSingleton<LedgerMetrics>();
        services.AddSingleton(LedgerLocation.Resolve);
        services.AddSingleton<ILedgerStore>(provider =>
        {
            var location = provider.GetRequiredService<LedgerLocation>();
            return location.ConnectionString is { } connectionString
                ? new PostgresLedgerStore(connectionString)
                : new SqliteLedgerStore(Path.Combine(location.DataDirectory, "ledger.db"));
        });
        services.AddSingleton<LedgerWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<LedgerWriter>());
        services.AddHostedService<TeamBudgetPublisher>();
        services.AddSingleton<DatabaseUsageLedger>();
        services.AddSingleton<IUsageLedger>(provider => provider.GetRequiredService<DatabaseUsageLedger>());
        services.AddSingleton<ILedgerReports>(provider => provider.GetRequiredService<DatabaseUsageLedger>());
        services.AddSingleton<IRequestCompletionListener, RequestLogListener>();
        return services;
    }
}
