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

    /// <summary>
    /// Withdraws a reservation whose caller stopped waiting for it (a timeout, a client gone): releases its hold if
    /// the store made it, and otherwise makes sure it holds nothing when the store gets to it. Idempotent.
    /// Returns true when a hold was released.
    /// </summary>
    ValueTask<bool> ReleaseAsync(QuotaAsk ask, CancellationToken cancellationToken);

    /// <summary>Reads one scope's spend and requests in flight (for reporting and tests); <paramref name="group"/> as in <see cref="QuotaAsk.Group"/>.</summary>
    ValueTask<ScopeUsage> ReadAsync(string group, string scope, string day, string month, CancellationToken cancellationToken);
}
