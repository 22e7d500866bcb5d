using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Telemetry;

/// <summary>
/// The Grafana dashboards shipped in deploy/grafana/dashboards, and every PromQL expression in them. A dashboard's
/// kind is the type of its <c>datasource</c> variable: Prometheus dashboards hold PromQL, the ledger's PostgreSQL
/// dashboard SQL (<see cref="SpendByKeyDashboardTests"/>).
/// </summary>
internal static partial class ShippedDashboards
{
    public const string Prometheus = "prometheus";
    public const string PostgreSql = "grafana-postgresql-datasource";

    public static string Directory => RepositoryFiles.PathOf("deploy", "grafana", "dashboards");

    /// <summary>Every dashboard file, whatever it queries.</summary>
    public static IReadOnlyList<(string File, JsonObject Dashboard)> LoadAll() =>
        [.. System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileName(path), JsonNode.Parse(File.ReadAllText(path))!.AsObject()))];

    /// <summary>The Prometheus dashboards: those the PromQL checks apply to.</summary>
    public static IReadOnlyList<(string File, JsonObject Dashboard)> Load() => Load(Prometheus);

    public static IReadOnlyList<(string File, JsonObject Dashboard)> Load(string datasourceType) =>
        [.. LoadAll().Where(d => DatasourceType(d.Dashboard) == datasourceType)];

    /// <summary>The plugin type the dashboard's <c>datasource</c> variable offers (its <c>query</c>).</summary>
    public static string? DatasourceType(JsonObject dashboard) =>
        dashboard["templating"]?["list"]?.AsArray().Where(v => (string?)v?["type"] == "datasource").Select(v => (string?)v!["query"]).SingleOrDefault();

    /// <summary>Every panel, including panels nested in rows.</summary>
    public static IEnumerable<JsonObject> Panels(JsonObject dashboard)
    {
        foreach (var panel in dashboard["panels"]?.AsArray() ?? [])
        {
            var obj = panel!.AsObject();
            yield return obj;
            foreach (var nested in obj["panels"]?.AsArray() ?? [])
            {
                yield return nested!.AsObject();
            }
        }
    }

    /// <summary>Every query in the file: panel target expressions and template-variable queries, with where it is.</summary>
    public static IEnumerable<DashboardQuery> Queries(string file, JsonObject dashboard)
    {
        foreach (var panel in Panels(dashboard))
        {
            foreach (var target in panel["targets"]?.AsArray() ?? [])
            {
                if (target?["expr"]?.GetValue<string>() is { Length: > 0 } expr)
                {
                    yield return new DashboardQuery($"{file}: panel '{panel["title"]}' target {target["refId"]}", expr);
                }
            }
        }

        foreach (var variable in dashboard["templating"]?["list"]?.AsArray() ?? [])
        {
            var query = variable?["query"] is JsonObject obj ? obj["query"]?.GetValue<string>() : variable?["query"]?.GetValue<string>();
            if (variable?["type"]?.GetValue<string>() == "query" && query is { Length: > 0 })
            {
                yield return new DashboardQuery($"{file}: variable '{variable["name"]}'", query);
            }
        }
    }

    /// <summary>
    /// What Grafana would send Prometheus: <c>label_values(m, l)</c> becomes a query over <c>m</c> grouped by <c>l</c>,
    /// range variables get concrete durations, and every template variable selects all values.
    /// </summary>
    public static string ToPromQl(string grafanaQuery)
    {
        var labelValues = LabelValues().Match(grafanaQuery);
        if (labelValues.Success)
        {
            return $"count by ({labelValues.Groups[2].Value}) ({labelValues.Groups[1].Value})";
        }

        var query = grafanaQuery
            .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
            .Replace("$__interval", "15s", StringComparison.Ordinal)
            .Replace("$__range", "1h", StringComparison.Ordinal);
        return Variable().Replace(query, ".*");
    }

    /// <summary>
    /// Metric names a PromQL expression selects: what is left after removing label matchers, grouping clauses,
    /// durations, strings, function calls and keywords.
    /// </summary>
    public static IEnumerable<string> MetricNames(string promQl)
    {
        var bare = Grouping().Replace(promQl, " ");
        bare = Braces().Replace(bare, " ");
        bare = Brackets().Replace(bare, " ");
        return Identifier().Matches(bare)
            .Where(m => !m.Groups[2].Success && !Keywords.Contains(m.Groups[1].Value))
            .Select(m => m.Groups[1].Value)
            .Distinct(StringComparer.Ordinal);
    }

    private static readonly HashSet<string> Keywords =
        ["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool", "inf", "nan"];

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    // An identifier, and whether a '(' follows (then it is a function).
    [GeneratedRegex(@"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^\s*label_values\(\s*([^,\s]+)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"\$\{?[A-Za-z_][A-Za-z0-9_]*(:[a-z]+)?\}?")]
    private static partial Regex Variable();

}

internal sealed record DashboardQuery(string Where, string Expression);
