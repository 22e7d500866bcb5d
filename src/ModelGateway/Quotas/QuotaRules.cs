namespace ModelGateway.Quotas;

/// <summary>
/// The admission rules, shared by the in-memory store; <see cref="RedisQuotaScripts"/> holds the same rules in Lua.
/// A scope admits a request when one more request fits the window, its tokens fit the window, one more fits the
/// concurrency limit, and its maximum cost fits what is left of the day's and month's budget after settled spend
/// and the holds of requests in flight.
/// </summary>
internal static class QuotaRules
{
    private const long BusyRetryMs = 1000;

    public static (QuotaVerdict Verdict, long RetryAfterMs) Check(
        QuotaLimits limits, long now, long window, long start, long requests, long tokens, long inFlight,
        long askTokens, long askNano, long daySpent, long dayHeld, long monthSpent, long monthHeld)
    {
        var windowLeft = start + window - now;
        if (limits.RequestsPerWindow is { } rpm && requests + 1 > rpm)
        {
            return (QuotaVerdict.Requests, windowLeft);
        }

        if (limits.TokensPerWindow is { } tpm)
        {
            if (askTokens > tpm)
            {
                return (QuotaVerdict.TokensTooLarge, 0);
            }

            if (tokens + askTokens > tpm)
            {
                return (QuotaVerdict.Tokens, windowLeft);
            }
        }

        if (limits.ConcurrentRequests is { } concurrent && inFlight + 1 > concurrent)
        {
            return (QuotaVerdict.Concurrency, BusyRetryMs);
        }

        if (limits.NanoUsdPerDay is { } day && daySpent + dayHeld + askNano > day)
        {
            return daySpent + askNano <= day ? (QuotaVerdict.BudgetHeld, BusyRetryMs) : (QuotaVerdict.BudgetDay, 0);
        }

        if (limits.NanoUsdPerMonth is { } month && monthSpent + monthHeld + askNano > month)
        {
            return monthSpent + askNano <= month ? (QuotaVerdict.BudgetHeld, BusyRetryMs) : (QuotaVerdict.BudgetMonth, 0);
        }

        return (QuotaVerdict.Admitted, 0);
    }

    /// <summary>Builds the decision, with header figures from the tightest scope of each dimension.</summary>
    public static QuotaDecision Decide(QuotaAsk ask, QuotaVerdict verdict, int culprit, long retry, long[] starts, long[] requests, long[] tokens)
    {
        long requestLimit = -1, requestsRemaining = long.MaxValue, requestsReset = -1;
        long tokenLimit = -1, tokensRemaining = long.MaxValue, tokensReset = -1;
        for (var i = 0; i < ask.Scopes.Length; i++)
        {
            var limits = ask.Scopes[i].Limits;
            var reset = starts[i] + ask.WindowMs - ask.NowMs;
            if (limits.RequestsPerWindow is { } rpm && rpm - requests[i] < requestsRemaining)
            {
                (requestLimit, requestsRemaining, requestsReset) = (rpm, rpm - requests[i], reset);
            }

            if (limits.TokensPerWindow is { } tpm && tpm - tokens[i] < tokensRemaining)
            {
                (tokenLimit, tokensRemaining, tokensReset) = (tpm, tpm - tokens[i], reset);
            }
        }

        return new QuotaDecision
        {
            Verdict = verdict,
            Scope = culprit,
            RetryAfterMs = retry,
            RequestLimit = requestLimit,
            RequestsRemaining = requestLimit < 0 ? -1 : Math.Max(0, requestsRemaining),
            RequestsResetMs = requestsReset,
            TokenLimit = tokenLimit,
            TokensRemaining = tokenLimit < 0 ? -1 : Math.Max(0, tokensRemaining),
            TokensResetMs = tokensReset,
            WindowStarts = starts,
        };
    }
}
