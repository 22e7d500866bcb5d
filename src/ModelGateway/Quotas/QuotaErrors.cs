using System.Globalization;
using ModelGateway.Requests;

namespace ModelGateway.Quotas;

/// <summary>The OpenAI-envelope errors for refused requests, with retry hints that say whether waiting helps.</summary>
internal static class QuotaErrors
{
    public static GatewayError For(QuotaAsk ask, QuotaDecision decision)
    {
        var scope = Describe(ask.Scopes[Math.Max(0, decision.Scope)].Name);
        var retry = TimeSpan.FromMilliseconds(Math.Max(1, decision.RetryAfterMs));
        var wait = RateLimitHeaders.Duration(decision.RetryAfterMs);
        return decision.Verdict switch
        {
            QuotaVerdict.Requests => RateLimited("requests", $"Rate limit reached for {scope} on requests per minute (limit {decision.RequestLimit}). Please try again in {wait}.", retry),
            QuotaVerdict.Tokens => RateLimited("tokens", $"Rate limit reached for {scope} on tokens per minute (limit {decision.TokenLimit}, requested {ask.Tokens}). Please try again in {wait}.", retry),
            QuotaVerdict.Concurrency => RateLimited("requests", $"Too many concurrent requests for {scope}. Please try again in {wait}.", retry),
            QuotaVerdict.BudgetHeld => RateLimited("insufficient_quota", $"The budget of {scope} is held by requests in progress. Please try again in {wait}.", retry),
            QuotaVerdict.TokensTooLarge => new GatewayError(
                StatusCodes.Status429TooManyRequests, "tokens", "rate_limit_exceeded",
                $"Request too large for {scope} on tokens per minute: requested {ask.Tokens} (estimated prompt plus maximum output), limit {decision.TokenLimit}. Send a shorter prompt or a lower max_completion_tokens.")
            { ShouldRetry = false },
            QuotaVerdict.Withdrawn => StoreUnavailable(),
            QuotaVerdict.BudgetDay => Exhausted($"The daily USD budget of {scope} is exhausted; it resets at 00:00 UTC."),
            _ => Exhausted($"The monthly USD budget of {scope} is exhausted; it resets on the first of the month, 00:00 UTC."),
        };
    }

    public static GatewayError StoreUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, "server_error", "quota_store_unavailable",
            "The gateway cannot check quotas right now and is configured to refuse requests until it can.")
        { RetryAfter = TimeSpan.FromSeconds(1), ShouldRetry = true };

    private static GatewayError RateLimited(string type, string message, TimeSpan retry) =>
        new(StatusCodes.Status429TooManyRequests, type, "rate_limit_exceeded", message) { RetryAfter = retry, ShouldRetry = true };

    private static GatewayError Exhausted(string message) =>
        new(StatusCodes.Status429TooManyRequests, "insufficient_quota", "insufficient_quota", message) { ShouldRetry = false };

    /// <summary>"key 'k'", "team 't'", "team 't' on model 'm'". Ids and model names only: nothing secret.</summary>
    private static string Describe(string scope)
    {
        var parts = scope.Split(':', 4);
        return parts.Length == 4
            ? string.Create(CultureInfo.InvariantCulture, $"team '{parts[1]}' on model '{parts[3]}'")
            : string.Create(CultureInfo.InvariantCulture, $"{parts[0]} '{parts[1]}'");
    }
}
