namespace ModelGateway.Accounting;

/// <summary>A team's budgets in nano-USD as configured; null where the team has no such budget.</summary>
internal sealed record TeamBudget(string TeamId, long? NanoUsdPerDay, long? NanoUsdPerMonth);
