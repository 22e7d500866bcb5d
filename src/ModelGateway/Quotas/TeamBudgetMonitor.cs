using System.Globalization;
using ModelGateway.Configuration;
using ModelGateway.Telemetry;

namespace ModelGateway.Quotas;

/// <summary>
/// Keeps each team's remaining USD budget fresh for the <c>modelgateway.quota.remaining</c> gauge. Metrics are
/// collected synchronously, so the store is read here in the background (every 15 s) rather than on a scrape.
/// The daily budget is reported when a team has one, otherwise the monthly budget.
/// </summary>
internal sealed partial class TeamBudgetMonitor : BackgroundService, IQuotaRemainingSource
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private const decimal NanoPerUsd = 1_000_000_000m;

    private readonly QuotaStores _stores;
    private readonly IGatewayConfigStore _configuration;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TeamBudgetMonitor> _logger;
    private volatile IReadOnlyList<TeamQuotaRemaining> _latest = [];

    public TeamBudgetMonitor(QuotaStores stores, IGatewayConfigStore configuration, TimeProvider timeProvider, ILogger<TeamBudgetMonitor> logger)
    {
        _stores = stores;
        _configuration = configuration;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public IReadOnlyList<TeamQuotaRemaining> Read() => _latest;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _timeProvider);
        do
        {
            try
            {
                _latest = await ReadBudgetsAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The gauge keeps its last values; the quota path has its own failure handling and metrics.
                LogReadFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task<IReadOnlyList<TeamQuotaRemaining>> ReadBudgetsAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        var day = now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var month = now.ToString("yyyyMM", CultureInfo.InvariantCulture);
        var budgets = new List<TeamQuotaRemaining>();
        foreach (var team in _configuration.Current.Config.Teams.Values)
        {
            var limit = team.Limits.NanoUsdPerDay ?? team.Limits.NanoUsdPerMonth;
            if (limit is null)
            {
                continue;
            }

            var usage = await _stores.Primary.ReadAsync(QuotaScope.ForTeam(team.Id), QuotaScope.ForTeam(team.Id), day, month, cancellationToken);
            var used = team.Limits.NanoUsdPerDay is not null
                ? usage.SpentDayNano + usage.HeldDayNano
                : usage.SpentMonthNano + usage.HeldMonthNano;
            var budget = team.Limits.NanoUsdPerDay is not null ? "usd_per_day" : "usd_per_month";
            budgets.Add(new TeamQuotaRemaining(team.Id, Math.Max(0, limit.Value - used) / NanoPerUsd, limit.Value / NanoPerUsd, budget));
        }

        return budgets;
    }

    [LoggerMessage(EventId = 420, Level = LogLevel.Warning, Message = "Could not read team budgets for the quota gauge")]
    private partial void LogReadFailed(Exception exception);
}
