namespace ModelGateway.Quotas;

/// <summary>What a store holds for one scope: settled and reserved spend in nano-USD, and requests in flight.</summary>
public readonly record struct ScopeUsage(long SpentDayNano, long HeldDayNano, long SpentMonthNano, long HeldMonthNano, long InFlight);
