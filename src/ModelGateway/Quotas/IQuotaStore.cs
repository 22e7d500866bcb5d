namespace ModelGateway.Quotas;

/// <summary>
/// Where quota counters live: Redis (shared by every replica) or process memory (one instance). Both follow the
/// same rules, and the same tests run against both. Check-and-reserve is atomic over all scopes of a request.
/// </summary>
internal interface IQuotaStore
{
    /// <summary>Checks every scope and, when all allow it, counts the request and holds its tokens and cost.</summary>
    ValueTask<QuotaDecision> ReserveAsync(QuotaAsk ask, CancellationToken cancellationToken);

    /// <summary>Releases the hold and charges what was really used. A hold that already expired is only charged.</summary>
    ValueTask SettleAsync(QuotaAsk ask, QuotaDecision decision, long actualTokens, long actualNanoUsd, CancellationToken cancellationToken);

    /// <summary>Reads one scope's spend and requests in flight (for reporting and tests).</summary>
    ValueTask<ScopeUsage> ReadAsync(string scope, string day, string month, CancellationToken cancellationToken);
}
