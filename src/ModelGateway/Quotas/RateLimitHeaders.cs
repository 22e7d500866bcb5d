using System.Globalization;

namespace ModelGateway.Quotas;

/// <summary>
/// Stamps OpenAI's <c>x-ratelimit-*</c> headers from a decision: limit, remaining and time to reset of the tightest
/// scope, for requests and for tokens. A dimension no scope limits is left out.
/// </summary>
internal static class RateLimitHeaders
{
    public static bool HasAny(QuotaDecision decision) => decision.RequestLimit >= 0 || decision.TokenLimit >= 0;

    public static void Stamp(IHeaderDictionary headers, QuotaDecision decision)
    {
        if (decision.RequestLimit >= 0)
        {
            headers["x-ratelimit-limit-requests"] = Number(decision.RequestLimit);
            headers["x-ratelimit-remaining-requests"] = Number(decision.RequestsRemaining);
            headers["x-ratelimit-reset-requests"] = Duration(decision.RequestsResetMs);
        }

        if (decision.TokenLimit >= 0)
        {
            headers["x-ratelimit-limit-tokens"] = Number(decision.TokenLimit);
            headers["x-ratelimit-remaining-tokens"] = Number(decision.TokensRemaining);
            headers["x-ratelimit-reset-tokens"] = Duration(decision.TokensResetMs);
        }
    }

    /// <summary>OpenAI's duration style: <c>20ms</c>, <c>1.5s</c>, <c>6m0s</c>, <c>1h2m3s</c>.</summary>
    public static string Duration(long milliseconds)
    {
        milliseconds = Math.Max(0, milliseconds);
        if (milliseconds < 1000)
        {
            return Number(milliseconds) + "ms";
        }

        if (milliseconds < 60_000)
        {
            return (milliseconds / 1000m).ToString("0.###", CultureInfo.InvariantCulture) + "s";
        }

        var time = TimeSpan.FromMilliseconds(milliseconds);
        return time.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours}h{time.Minutes}m{time.Seconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{time.Minutes}m{time.Seconds}s");
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
