using System.Globalization;

namespace ModelGateway.Providers;

/// <summary>Reads a provider's retry delay: <c>retry-after-ms</c>, <c>x-ms-retry-after-ms</c>, then <c>retry-after</c>.</summary>
internal static class RetryHints
{
    public static TimeSpan? Parse(HttpResponseMessage response, TimeProvider timeProvider)
    {
        foreach (var name in (ReadOnlySpan<string>)["retry-after-ms", "x-ms-retry-after-ms"])
        {
            if (response.Headers.TryGetValues(name, out var values)
                && double.TryParse(values.First(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
            {
                return TimeSpan.FromMilliseconds(ms);
            }
        }

        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
