namespace ModelGateway.Telemetry;

/// <summary>
/// Reports each team's budget for the <c>modelgateway.quota.*</c> gauges. Read on each metrics collection, not per
/// request. The default reports nothing; the quota service replaces it.
/// </summary>
internal interface IQuotaRemainingSource
{
    IReadOnlyList<TeamQuotaRemaining> Read();
}

/// <summary>
/// What a team has left (and its limit, when known) in USD for the current period of one budget, and which budget
/// that is (<c>usd_per_day</c> or <c>usd_per_month</c>, the configuration's names; the <c>budget</c> label). A team
/// with both budgets has one reading for each.
/// </summary>
internal readonly record struct TeamQuotaRemaining(string TeamId, decimal? RemainingUsd, decimal? LimitUsd = null, string? Budget = null);

/// <summary>No budgets configured: nothing to report.</summary>
internal sealed class NoQuotaRemainingSource : IQuotaRemainingSource
{
    public IReadOnlyList<TeamQuotaRemaining> Read() => [];
}
