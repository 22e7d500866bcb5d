using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelGateway.Tests.Telemetry;

/// <summary>
/// What Grafana sends PostgreSQL for a dashboard's SQL, done the way Grafana does it: first the front end replaces
/// template variables (a multi-value or "include All" variable becomes its values as quoted SQL literals joined by
/// commas; <c>$__interval</c> its duration text), then the PostgreSQL plugin's macro engine expands <c>$__name(args)</c>
/// (pkg/tsdb/grafana-postgresql-datasource/macros.go: RFC 3339 times, <c>floor(extract(epoch ...))</c> buckets).
/// An unknown variable or macro throws, so a query the test cannot expand faithfully fails instead of being skipped.
/// </summary>
internal static partial class GrafanaSql
{
    public static string Interpolate(
        string sql, DateTimeOffset from, DateTimeOffset to, string interval, IReadOnlyDictionary<string, IReadOnlyList<string>> variables)
    {
        var withVariables = Variable().Replace(sql, match =>
        {
            var name = match.Groups[1].Value;
            if (name == "__interval")
            {
                return interval;
            }

            if (name.StartsWith("__", StringComparison.Ordinal))
            {
                return match.Value; // A macro: the plugin's turn.
            }

            if (!variables.TryGetValue(name, out var values) || values.Count == 0)
            {
                throw new InvalidOperationException($"The query uses ${name}, which the test gives no value.");
            }

            return string.Join(',', values.Select(v => "'" + v.Replace("'", "''", StringComparison.Ordinal) + "'"));
        });

        var expanded = Macro().Replace(withVariables, match =>
        {
            var args = match.Groups[2].Value.Split(',').Select(a => a.Trim(' ')).ToArray();
            return match.Groups[1].Value switch
            {
                "__time" => $"{args[0]} AS \"time\"",
                "__timeFilter" => $"{args[0]} BETWEEN '{Rfc3339(from)}' AND '{Rfc3339(to)}'",
                "__timeFrom" => $"'{Rfc3339(from)}'",
                "__timeTo" => $"'{Rfc3339(to)}'",
                "__timeGroup" => TimeGroup(args),
                "__timeGroupAlias" => TimeGroup(args) + " AS \"time\"",
                var other => throw new InvalidOperationException($"The test does not expand the macro ${other}."),
            };
        });
        return expanded.Contains('$', StringComparison.Ordinal)
            ? throw new InvalidOperationException($"Not expanded: {expanded}")
            : expanded;
    }

    /// <summary>Grafana's interval syntax (<c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>) as a duration.</summary>
    public static TimeSpan ParseInterval(string text)
    {
        var match = Interval().Match(text);
        if (!match.Success)
        {
            throw new InvalidOperationException($"'{text}' is not a Grafana interval.");
        }

        var n = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            _ => TimeSpan.FromDays(7 * n),
        };
    }

    private static string TimeGroup(string[] args)
    {
        if (args.Length != 2)
        {
            throw new InvalidOperationException("The test expands $__timeGroup(column, interval) without a fill mode only.");
        }

        var seconds = ParseInterval(args[1].Trim('\'')).TotalSeconds.ToString(CultureInfo.InvariantCulture);
        return $"floor(extract(epoch from {args[0]})/{seconds})*{seconds}";
    }

    // Go's time.RFC3339Nano: fraction digits only as far as they are not zero.
    private static string Rfc3339(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")]
    private static partial Regex Variable();

    // The plugin's own pattern: $name(args), args without a closing parenthesis.
    [GeneratedRegex(@"\$([_a-zA-Z0-9]+)\(([^\)]*)\)")]
    private static partial Regex Macro();

    [GeneratedRegex(@"^(\d+)(ms|s|m|h|d|w)$")]
    private static partial Regex Interval();
}
