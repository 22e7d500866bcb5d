using System.Collections.Immutable;
using ModelGateway.Configuration;
using ModelGateway.Quotas;

namespace ModelGateway.Accounting;

/// <summary>
/// Copies the teams' budgets from the configuration in force into the ledger's <c>team_budget</c> table at start-up
/// and after every configuration change, so reports over the database can set spend against budget. Off the request
/// path; a database that is away (or not migrated yet) is retried until it takes the current budgets.
/// </summary>
internal sealed partial class TeamBudgetPublisher(
    ILedgerStore store, LedgerWriter writer, IGatewayConfigStore configStore, TimeProvider timeProvider, ILogger<TeamBudgetPublisher> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ImmutableDictionary<string, TeamConfig>? published = null;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = configStore.GetChangeToken().RegisterChangeCallback(_ => changed.TrySetResult(), null);
            var teams = configStore.Current.Config.Teams;
            if (!ReferenceEquals(teams, published) && writer.IsMigrated)
            {
                try
                {
                    await store.ReplaceTeamBudgetsAsync(Budgets(teams), stoppingToken);
                    published = teams;
                    failing = false;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    if (!failing)
                    {
                        LogPublishFailed(ex.GetType().Name);
                    }

                    failing = true;
                }
            }

            var waitForChange = ReferenceEquals(teams, published);
            try
            {
                await (waitForChange ? changed.Task.WaitAsync(stoppingToken) : Task.Delay(RetryDelay, timeProvider, stoppingToken));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The teams that have a daily or monthly budget, ordered by id.</summary>
    public static List<TeamBudget> Budgets(ImmutableDictionary<string, TeamConfig> teams) =>
        [.. teams.Values
            .Where(team => team.Limits.NanoUsdPerDay is not null || team.Limits.NanoUsdPerMonth is not null)
            .OrderBy(team => team.Id, StringComparer.Ordinal)
            .Select(team => new TeamBudget(team.Id, team.Limits.NanoUsdPerDay, team.Limits.NanoUsdPerMonth))];

    [LoggerMessage(EventId = 1705, Level = LogLevel.Warning,
        Message = "The teams' budgets could not be written to the ledger database ({Error}); retrying every 5 s")]
    private partial void LogPublishFailed(string error);
}
