using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Telemetry;

/// <summary>
/// Without Grafana to render them, the shipped dashboards are checked structurally: every datasource they name is
/// provisioned, and every metric they query is one the gateway exports (names derived from the instruments in code).
/// </summary>
public sealed partial class DashboardValidationTests
{
    [Fact]
    public void The_dashboards_ship_with_unique_uids_and_panels_four_on_prometheus_one_on_the_ledger()
    {
        var dashboards = ShippedDashboards.LoadAll();

        // Every file is one of the two kinds the tests check: none escapes both the PromQL and the SQL checks.
        Assert.Equal(["experiments.json", "performance.json", "quotas.json", "spend.json"], ShippedDashboards.Load().Select(d => d.File));
        Assert.Equal(["spend-by-key.json"], ShippedDashboards.Load(ShippedDashboards.PostgreSql).Select(d => d.File));
        Assert.Equal(5, dashboards.Count);
        Assert.Equal(5, dashboards.Select(d => d.Dashboard["uid"]!.GetValue<string>()).Distinct().Count());
        foreach (var (file, dashboard) in dashboards)
        {
            var panels = ShippedDashboards.Panels(dashboard).ToList();
            Assert.True(panels.Count >= 5, $"{file} has only {panels.Count} panels.");
            Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
            Assert.All(panels, p => Assert.False(string.IsNullOrWhiteSpace(p["title"]?.GetValue<string>()), $"{file}: a panel has no title."));
        }
    }

    [Fact]
    public void Every_query_uses_the_datasource_variable_whose_default_is_provisioned()
    {
        var provisioned = ProvisionedDatasourceUids();
        Assert.Contains("prometheus", provisioned);

        foreach (var (file, dashboard) in ShippedDashboards.Load())
        {
            // A datasource variable (so the dashboards import into any Grafana) defaulting to the provisioned Prometheus.
            var variable = Variables(dashboard).Single(v => (string?)v["type"] == "datasource");
            Assert.Equal("datasource", (string?)variable["name"]);
            Assert.Equal("prometheus", (string?)variable["query"]);
            Assert.True(provisioned.Contains((string)variable["current"]!["value"]!), $"{file}: the datasource variable's default is not provisioned.");

            foreach (var (where, uid) in DatasourceReferences(dashboard))
            {
                Assert.True(uid == "${datasource}", $"{file}: {where} uses datasource uid '{uid}' instead of the $datasource variable.");
            }

            // Every panel with queries names its datasource (no reliance on Grafana's default).
            foreach (var panel in ShippedDashboards.Panels(dashboard).Where(p => p["targets"] is JsonArray { Count: > 0 }))
            {
                Assert.True(panel["datasource"]?["uid"] is not null, $"{file}: panel '{panel["title"]}' has no datasource uid.");
            }
        }
    }

    [Fact]
    public void Every_query_on_a_variables_metric_filters_by_that_variable()
    {
        foreach (var (file, dashboard) in ShippedDashboards.Load())
        {
            foreach (var variable in Variables(dashboard).Where(v => (string?)v["type"] == "query"))
            {
                var match = LabelValuesQuery().Match((string)variable["definition"]!);
                Assert.True(match.Success, $"{file}: variable '{variable["name"]}' is not a label_values query.");
                var (metric, label) = (match.Groups[1].Value, match.Groups[2].Value);
                foreach (var query in ShippedDashboards.Queries(file, dashboard).Where(q => !q.Where.Contains("variable", StringComparison.Ordinal)))
                {
                    foreach (Match selector in Selector(metric).Matches(query.Expression))
                    {
                        Assert.True(selector.Value.Contains($"{label}=~\"${label}\"", StringComparison.Ordinal),
                            $"{query.Where}: {selector.Value} does not filter by ${label}.");
                    }
                }
            }
        }

        // The filters the issue asked for: Spend by model, Performance by team.
        var byFile = ShippedDashboards.Load().ToDictionary(d => d.File, d => d.Dashboard);
        Assert.Contains(Variables(byFile["spend.json"]), v => (string?)v["name"] == "model");
        Assert.Contains(Variables(byFile["performance.json"]), v => (string?)v["name"] == "team");
    }

    [Fact]
    public void Money_rates_are_in_usd_per_hour_and_amounts_in_usd()
    {
        foreach (var (file, dashboard) in ShippedDashboards.Load())
        {
            foreach (var panel in ShippedDashboards.Panels(dashboard).Where(p => p["targets"] is JsonArray { Count: > 0 }))
            {
                var expressions = panel["targets"]!.AsArray().Select(t => (string)t!["expr"]!).ToList();
                if (!expressions.Any(e => e.Contains("_USD", StringComparison.Ordinal)))
                {
                    continue;
                }

                var unit = (string?)panel["fieldConfig"]?["defaults"]?["unit"];
                var isRate = expressions.All(e => e.Contains("rate(", StringComparison.Ordinal) && e.TrimEnd().EndsWith("* 3600", StringComparison.Ordinal));
                var isRatio = expressions.All(e => e.Contains(" / ", StringComparison.Ordinal));
                var expected = isRate ? "suffix: USD/h" : isRatio ? "percentunit" : "currencyUSD";
                Assert.True(expected == unit, $"{file}: panel '{panel["title"]}' has unit '{unit}', expected '{expected}'.");
            }
        }
    }

    [Fact]
    public void Tables_with_several_queries_merge_them_into_one_table()
    {
        var tables = ShippedDashboards.Load()
            .SelectMany(d => ShippedDashboards.Panels(d.Dashboard).Select(p => (d.File, Panel: p)))
            .Where(t => (string?)t.Panel["type"] == "table" && t.Panel["targets"]!.AsArray().Count > 1).ToList();

        Assert.Contains(tables, t => t.File == "spend.json" && (string?)t.Panel["title"] == "Spend by team and model");
        foreach (var (file, panel) in tables)
        {
            Assert.Equal("merge", (string?)panel["transformations"]?[0]?["id"]);
            Assert.All(panel["targets"]!.AsArray(), t => Assert.Equal("table", (string?)t!["format"]));
        }
    }

    [Fact]
    public void Performance_has_a_gateway_health_row_on_runtime_metrics_and_the_budget_gauge_names_its_budget()
    {
        var dashboards = ShippedDashboards.Load().ToDictionary(d => d.File, d => d.Dashboard);
        var panels = dashboards["performance.json"]["panels"]!.AsArray().Select(p => p!.AsObject()).ToList();
        var row = panels.FindIndex(p => (string?)p["type"] == "row" && (string?)p["title"] == "Gateway health");
        Assert.True(row >= 0, "performance.json has no 'Gateway health' row.");
        var health = panels.Skip(row + 1).TakeWhile(p => (string?)p["type"] != "row").ToList();
        var used = health.SelectMany(p => p["targets"]!.AsArray()).SelectMany(t => ShippedDashboards.MetricNames((string)t!["expr"]!)).ToHashSet();
        Assert.All(PrometheusNames.Runtime.Where(r => r.Family != "dotnet_gc_collections_total"),
            r => Assert.True(used.Contains(r.Family) || used.Contains(r.Family + "_count"), $"The health row does not show {r.Family}."));

        var gauge = dashboards["quotas.json"]["panels"]!.AsArray().Single(p => (string?)p!["type"] == "bargauge")!;
        Assert.Contains("daily", (string)gauge["title"]!, StringComparison.Ordinal);
        Assert.Contains("UsdPerDay", (string)gauge["description"]!, StringComparison.Ordinal);
        Assert.Contains("UsdPerMonth", (string)gauge["description"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Performance_shows_the_self_hosted_share_and_spill_over_in_their_own_row()
    {
        var performance = ShippedDashboards.Load().Single(d => d.File == "performance.json").Dashboard;
        var panels = performance["panels"]!.AsArray().Select(p => p!.AsObject()).ToList();
        var row = panels.FindIndex(p => (string?)p["type"] == "row" && (string?)p["title"] == "Self-hosted capacity");
        Assert.True(row >= 0, "performance.json has no 'Self-hosted capacity' row.");
        var capacity = panels.Skip(row + 1).TakeWhile(p => (string?)p["type"] != "row").ToDictionary(p => (string)p["title"]!);
        string[] Expressions(string title) => [.. capacity[title]["targets"]!.AsArray().Select(t => (string)t!["expr"]!)];

        // The share: self-hosted served requests over all served requests (trust tier "none" is a request nobody served).
        var share = Expressions("Self-hosted share of served requests");
        Assert.All(share, e => Assert.Contains("modelgateway_requests_total{trust_tier=\"self-hosted\"", e, StringComparison.Ordinal));
        Assert.All(share, e => Assert.Contains("modelgateway_requests_total{trust_tier!=\"none\"", e, StringComparison.Ordinal));
        Assert.Contains(share, e => e.Contains("sum by (model)", StringComparison.Ordinal));
        Assert.Equal("percentunit", (string?)capacity["Self-hosted share of served requests"]["fieldConfig"]!["defaults"]!["unit"]);
        Assert.Contains("sum by (trust_tier)", Assert.Single(Expressions("Served requests by trust tier")), StringComparison.Ordinal);

        // Spill-over: the counter by the deployment passed over, as a rate and as a share of what wanted that deployment.
        var spillovers = PrometheusNames.Family(ModelGateway.Telemetry.GatewayMetrics.Spillovers);
        Assert.Equal("modelgateway_routing_spillovers_total", spillovers);
        Assert.Contains($"sum by (deployment) (rate({spillovers}{{", Assert.Single(Expressions("Spill-overs by saturated deployment")), StringComparison.Ordinal);
        var spillShare = Assert.Single(Expressions("Spill-over share by deployment"));
        Assert.Contains(spillovers, spillShare, StringComparison.Ordinal);
        Assert.Contains("gen_ai_client_operation_duration_seconds_count", spillShare, StringComparison.Ordinal);
        Assert.Equal("percentunit", (string?)capacity["Spill-over share by deployment"]["fieldConfig"]!["defaults"]!["unit"]);
    }

    [Fact]
    public void Budget_panels_keep_the_daily_and_monthly_budgets_apart()
    {
        var quotas = ShippedDashboards.Load().Single(d => d.File == "quotas.json").Dashboard;
        Assert.Contains(Variables(quotas), v => (string?)v["name"] == "budget");
        var budgetPanels = ShippedDashboards.Panels(quotas)
            .Where(p => p["targets"]?.AsArray().Any(t => ((string)t!["expr"]!).Contains("modelgateway_quota_", StringComparison.Ordinal)) == true)
            .ToList();
        Assert.Equal(3, budgetPanels.Count);
        foreach (var panel in budgetPanels)
        {
            foreach (var target in panel["targets"]!.AsArray())
            {
                // Every aggregation of a budget gauge keeps the budget label: a day and a month budget never add up.
                var expr = (string)target!["expr"]!;
                Assert.True(BudgetAggregation().Matches(expr).All(m => m.Groups[1].Value.Split(',').Select(l => l.Trim()).Contains("budget")),
                    $"panel '{panel["title"]}': {expr} aggregates away the budget label.");
                var legend = (string?)target["legendFormat"];
                if ((string?)panel["type"] != "table")
                {
                    Assert.True(legend?.Contains("{{budget}}", StringComparison.Ordinal) == true, $"panel '{panel["title"]}': legend '{legend}' does not say which budget.");
                }
            }
        }

        // The table has a Budget column, its values named for people.
        var table = budgetPanels.Single(p => (string?)p["type"] == "table");
        Assert.Equal("Budget", (string?)table["transformations"]![1]!["options"]!["renameByName"]!["budget"]);
        var mapping = table["fieldConfig"]!["overrides"]!.AsArray().Single(o => (string?)o!["matcher"]!["options"] == "Budget")!["properties"]![0]!["value"]![0]!["options"]!;
        Assert.Contains("daily", (string)mapping["usd_per_day"]!["text"]!, StringComparison.Ordinal);
        Assert.Contains("monthly", (string)mapping["usd_per_month"]!["text"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_metric_a_dashboard_queries_is_exported_by_the_gateway()
    {
        var exported = PrometheusNames.AllSeries();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, dashboard) in ShippedDashboards.Load())
        {
            foreach (var query in ShippedDashboards.Queries(file, dashboard))
            {
                var names = ShippedDashboards.MetricNames(ShippedDashboards.ToPromQl(query.Expression)).ToList();
                Assert.True(names.Count > 0, $"{query.Where}: no metric found in '{query.Expression}'.");
                foreach (var name in names)
                {
                    Assert.True(exported.Contains(name), $"{query.Where}: '{name}' is not a metric the gateway exports ({query.Expression}).");
                    used.Add(name);
                }
            }
        }

        // The dashboards between them show every instrument the gateway has.
        foreach (var instrument in ModelGateway.Telemetry.GatewayMetrics.Instruments.Concat(ModelGateway.Experiments.ExperimentMetrics.Instruments))
        {
            Assert.True(PrometheusNames.Series(instrument).Any(used.Contains), $"No dashboard shows {instrument.Name}.");
        }
    }

    [Fact]
    public void Metric_name_extraction_sees_through_grouping_matchers_and_functions()
    {
        var names = ShippedDashboards.MetricNames(
            "histogram_quantile(0.95, sum by (le, deployment) (rate(a_bucket{deployment=~\".*\"}[1m]))) / ignoring(x) b_total offset 5m");

        Assert.Equal(["a_bucket", "b_total"], names);
        Assert.Equal("count by (team) (modelgateway_requests_total)", ShippedDashboards.ToPromQl("label_values(modelgateway_requests_total, team)"));
        Assert.Equal("sum(rate(x{team=~\".*\"}[1m])) and y[1h]", ShippedDashboards.ToPromQl("sum(rate(x{team=~\"$team\"}[$__rate_interval])) and y[$__range]"));
    }

    internal static HashSet<string> ProvisionedDatasourceUids()
    {
        var uids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(RepositoryFiles.PathOf("deploy", "grafana", "provisioning", "datasources"), "*.y*ml"))
        {
            foreach (Match match in UidLine().Matches(File.ReadAllText(file)))
            {
                uids.Add(match.Groups[1].Value);
            }
        }

        return uids;
    }

    internal static IEnumerable<(string Where, string Uid)> DatasourceReferences(JsonNode? node, string where = "dashboard")
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["datasource"] is JsonObject datasource && datasource["uid"]?.GetValue<string>() is { } uid)
                {
                    yield return (obj["title"] is { } title ? $"panel '{title}'" : where, uid);
                }

                foreach (var (_, child) in obj)
                {
                    foreach (var reference in DatasourceReferences(child, obj["title"] is { } t ? $"panel '{t}'" : where))
                    {
                        yield return reference;
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    foreach (var reference in DatasourceReferences(child, where))
                    {
                        yield return reference;
                    }
                }

                break;
        }
    }

    internal static IEnumerable<JsonObject> Variables(JsonObject dashboard) =>
        dashboard["templating"]?["list"]?.AsArray().Select(v => v!.AsObject()) ?? [];

    private static Regex Selector(string metric) => new(@"(?<![\w:])" + Regex.Escape(metric) + @"(\{[^}]*\})?(?![\w:])");

    [GeneratedRegex(@"^label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$")]
    private static partial Regex LabelValuesQuery();

    [GeneratedRegex(@"\b(?:sum|max|min|avg|count)\s+by\s*\(([^)]*)\)\s*\(\s*modelgateway_quota_")]
    private static partial Regex BudgetAggregation();

    [GeneratedRegex(@"^\s*uid:\s*[""']?([^""'\s#]+)", RegexOptions.Multiline)]
    private static partial Regex UidLine();
}
