using System.Globalization;
using ModelGateway.Configuration;
using ModelGateway.Telemetry;

namespace ModelGateway.Quotas;

/// <summary>
/// Keeps each team's remaining USD budget fresh for the <c>modelgateway.quota.remaining</c> gauge. Metrics are
/// collected synchronously, so the store is read here in the background (every 15 s) rather than on a scrape.
/// Each budget a team has is reported on its own (<c>budget</c> label <c>usd_per_day</c> and <c>usd_per_month</c>):
/// either can be the one that stops the team.
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
            var (perDay, perMonth) = (team.Limits.NanoUsdPerDay, team.Limits.NanoUsdPerMonth);
            if (perDay is null && perMonth is null)
            {
                continue;
            }

            // One read gives the day's and the month's figures.
            var usage = await _stores.Primary.ReadAsync(QuotaScope.ForTeam(team.Id), QuotaScope.ForTeam(team.Id), day, month, cancellationToken);
            if (perDay is { } dayLimit)
            {
                budgets.Add(Reading(team.Id, dayLimit, usage.SpentDayNano + usage.HeldDayNano, "usd_per_day"));
            }

            if (perMonth is { } monthLimit)
            {
                budgets.Add(Reading(team.Id, monthLimit, usage.SpentMonthNano + usage.HeldMonthNano, "usd_per_month"));
            }
        }

        return budgets;
    }

    private static TeamQuotaRemaining Reading(string teamId, long limitNano, long usedNano, string budget) =>
        new(teamId, Math.Max(0, limitNano - usedNano) / NanoPerUsd, limitNano / NanoPerUsd, budget);

    [LoggerMessage(EventId = 420, Level = LogLevel.Warning, Message = "Could not read team budgets for the quota gauge")]
    private partial void LogReadFailed(Exception exception);
}
