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
    public void The_three_dashboards_ship_with_unique_uids_and_panels()
    {
        var dashboards = ShippedDashboards.Load();

        Assert.Equal(["performance.json", "quotas.json", "spend.json"], dashboards.Select(d => d.File));
        Assert.Equal(3, dashboards.Select(d => d.Dashboard["uid"]!.GetValue<string>()).Distinct().Count());
        foreach (var (file, dashboard) in dashboards)
        {
            var panels = ShippedDashboards.Panels(dashboard).ToList();
            Assert.True(panels.Count >= 5, $"{file} has only {panels.Count} panels.");
            Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
            Assert.All(panels, p => Assert.False(string.IsNullOrWhiteSpace(p["title"]?.GetValue<string>()), $"{file}: a panel has no title."));
        }
    }

    [Fact]
    public void Every_datasource_a_dashboard_names_is_provisioned()
    {
        var provisioned = ProvisionedDatasourceUids();
        Assert.Contains("prometheus", provisioned);

        foreach (var (file, dashboard) in ShippedDashboards.Load())
        {
            foreach (var (where, uid) in DatasourceReferences(dashboard))
            {
                Assert.True(provisioned.Contains(uid), $"{file}: {where} uses datasource uid '{uid}', which provisioning does not define.");
            }

            // Every panel with queries names its datasource (no reliance on Grafana's default).
            foreach (var panel in ShippedDashboards.Panels(dashboard).Where(p => p["targets"] is JsonArray { Count: > 0 }))
            {
                Assert.True(panel["datasource"]?["uid"] is not null, $"{file}: panel '{panel["title"]}' has no datasource uid.");
            }
        }
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
        foreach (var instrument in ModelGateway.Telemetry.GatewayMetrics.Instruments)
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

    private static HashSet<string> ProvisionedDatasourceUids()
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

    private static IEnumerable<(string Where, string Uid)> DatasourceReferences(JsonNode? node, string where = "dashboard")
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

    [GeneratedRegex(@"^\s*uid:\s*[""']?([^""'\s#]+)", RegexOptions.Multiline)]
    private static partial Regex UidLine();
}
