using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ModelGateway.Accounting;
using ModelGateway.Configuration;
using ModelGateway.Providers;
using ModelGateway.Quotas;
using ModelGateway.Routing;
using ModelGateway.Simulator;
using ModelGateway.Telemetry;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Telemetry;

/// <summary>
/// The end-to-end check of the observability story: a real Prometheus scrapes a real gateway serving a known mix of
/// simulated traffic; every PromQL expression in the shipped dashboards must return data, and spend and savings in
/// Prometheus must equal the sums of the per-request costs.
/// </summary>
[Collection(nameof(SerialMetrics))]
public sealed class PrometheusDashboardTests
{
    // Prices high enough that a handful of requests cost dollars, so "within a cent" is a real check.
    private static readonly ModelPrice Baseline = new(10_000m, 2_500m, 30_000m);
    private const string Models = "tm-.*";
    // Ten requests per wave; two are client errors whose model label is not a configured model ("other", "none").
    private const int RequestsPerWave = 8;

    [Fact]
    public async Task Every_dashboard_query_returns_data_and_spend_and_savings_match_the_per_request_costs()
    {
        Assert.True(PrometheusServer.FindBinary() is not null,
            "The prometheus binary is missing: install it with 'apt-get install -y prometheus' (tests/run.sh does this on CI), or set PROMETHEUS_BIN.");

        await using var simulator = await SimulatorHost.StartAsync(options => options.Name = "sim");

        // The shadow experiment's candidate, judge and embeddings on their own simulator: its faults are the waves' alone.
        await using var shadows = await SimulatorHost.StartAsync(options => options.Name = "sim");
        await using var gateway = await GatewayHost.StartAsync(GatewayConfig(simulator.BaseUrl + "/v1", shadows.BaseUrl + "/v1"), RegisterStandIns);
        using var http = gateway.HttpClient();
        await using var prometheus = await PrometheusServer.StartAsync(new Uri(gateway.BaseUrl).Authority);
        await prometheus.WaitForAsync("up{job=\"modelgateway\"}", up => up == 1, "the gateway as up");

        // Two waves of the same mix, each seen by a scrape, so range functions (rate, increase) have data to work on.
        await SendWaveAsync(http, simulator);
        await prometheus.WaitForAsync($"sum(modelgateway_requests_total{{model=~\"{Models}\"}})", n => n == RequestsPerWave, "the first wave");
        await SendWaveAsync(http, simulator);
        await prometheus.WaitForAsync($"sum(modelgateway_requests_total{{model=~\"{Models}\"}})", n => n == 2 * RequestsPerWave, "the second wave");

        var records = (await gateway.Service<IUsageLedger>().ReadAllAsync()).Where(r => r.Model.StartsWith("tm-", StringComparison.Ordinal)).ToList();
        var spend = (double)records.Sum(r => r.CostUsd);
        var baseline = (double)records.Where(r => r.UsageReported).Sum(r => Baseline.CostOf(r.Usage));
        Assert.True(spend > 0.5, $"The traffic should cost dollars for the comparison to mean something; it cost {spend}.");
        Assert.True(baseline - spend > 0.5, $"The baseline should be dearer than the mix; savings were {baseline - spend}.");

        await prometheus.WaitForAsync($"sum(modelgateway_cost_USD_total{{model=~\"{Models}\"}})", v => Math.Abs(v - spend) < 0.01,
            $"spend of {spend} USD (the ledger's per-request sum)");
        await prometheus.WaitForAsync($"sum(modelgateway_savings_USD{{model=~\"{Models}\"}})", v => Math.Abs(v - (baseline - spend)) < 0.01,
            $"savings of {baseline - spend} USD");
        await prometheus.WaitForAsync(
            $"sum(modelgateway_baseline_cost_USD_total{{model=~\"{Models}\"}}) - sum(modelgateway_cost_USD_total{{model=~\"{Models}\"}})",
            v => Math.Abs(v - (baseline - spend)) < 0.01, "baseline cost minus cost equal to savings");

        // The dispatcher's own classification reached Prometheus, per outcome.
        foreach (var (outcome, perWave) in new[] { ("served", 4), ("fell_back", 1), ("upstream_error", 1), ("rejected_quota", 1), ("rejected_policy", 1), ("client_error", 2) })
        {
            var model = outcome == "client_error" ? "other|none" : Models;
            Assert.Equal(2 * perWave, await prometheus.ScalarAsync($"sum(modelgateway_requests_total{{outcome=\"{outcome}\",model=~\"{model}\"}})"));
        }

        Assert.Equal(2, await prometheus.ScalarAsync("sum(modelgateway_fallbacks_total{deployment=\"tm-fallback-self\"})"));
        Assert.Equal(2, await prometheus.ScalarAsync("sum(gen_ai_client_operation_time_to_first_chunk_seconds_count{deployment=\"tm-qwen-self\"})"));

        // Two served tm-qwen requests a wave are shadowed (one streamed), each compared and judged in the background.
        await prometheus.WaitForAsync("sum(modelgateway_experiment_calls_total{outcome=\"ok\"})", n => n == 4, "the shadow comparisons");
        await prometheus.WaitForAsync("sum(modelgateway_experiment_judge_verdicts_total)", n => n == 4, "the judge verdicts");
        await prometheus.WaitForAsync("sum(modelgateway_experiment_time_to_first_token_seconds_count)", n => n == 4, "the streamed pairs");

        var failures = new List<string>();
        foreach (var (file, dashboard) in ShippedDashboards.Load())
        {
            foreach (var query in ShippedDashboards.Queries(file, dashboard))
            {
                var promQl = ShippedDashboards.ToPromQl(query.Expression);
                try
                {
                    if ((await prometheus.QueryAsync(promQl)).GetArrayLength() == 0)
                    {
                        failures.Add($"{query.Where}: no data for {promQl}");
                    }
                }
                catch (InvalidOperationException ex)
                {
                    failures.Add($"{query.Where}: {ex.Message}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));

        // The Prometheus names the dashboard checks derive from the code are the names the exporter really writes.
        var scrape = await gateway.HttpClient(key: null).GetStringAsync("/metrics");
        // (A counter appears once it counts: nothing was dropped from the shadow queue here.)
        foreach (var instrument in GatewayMetrics.Instruments.Concat(ModelGateway.Experiments.ExperimentMetrics.Instruments)
            .Where(i => i != ModelGateway.Experiments.ExperimentMetrics.DroppedRequests))
        {
            Assert.Contains($"# TYPE {PrometheusNames.Family(instrument)} ", scrape, StringComparison.Ordinal);
        }

        foreach (var (family, _) in PrometheusNames.Runtime)
        {
            Assert.Contains($"# TYPE {family} ", scrape, StringComparison.Ordinal);
        }
    }

    private static JsonObject GatewayConfig(string simulatorUrl, string shadowsUrl)
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var deadPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var config = TestConfig.Gateway()
            .WithProvider("tm-selfhost", simulatorUrl, trust: "self-hosted")
            .WithProvider("tm-public", simulatorUrl, trust: "public")
            .WithProvider("tm-dead", $"http://127.0.0.1:{deadPort}/v1", trust: "contracted")
            .WithDeployment("tm-qwen-self", "tm-selfhost", ["tm-qwen"], input: 2_000m, output: 6_000m)
            .WithDeployment("tm-gpt-public", "tm-public", ["tm-gpt"], input: 5_000m, output: 15_000m)
            .WithDeployment("tm-fallback-dead", "tm-dead", ["tm-fallback"], input: 1_000m, output: 1_000m, priority: -1)
            .WithDeployment("tm-fallback-self", "tm-selfhost", ["tm-fallback"], input: 2_000m, output: 6_000m)
            .WithDeployment("tm-embed-self", "tm-selfhost", ["tm-embed"], input: 1_000m, output: 0m, capabilities: ["embeddings"])
            .WithProvider("tm-shadows", shadowsUrl, trust: "self-hosted")
            .WithDeployment("tm-cand", "tm-shadows", ["tm-cand"], input: 100m, output: 300m)
            .WithDeployment("tm-judge", "tm-shadows", ["tm-judge"], input: 100m, output: 300m)
            .WithDeployment("tm-embed-cand", "tm-shadows", ["tm-embed-cand"], upstreamModel: "sim-embed", input: 10m, output: 0m, capabilities: ["embeddings"]);
        config["Experiments"] = new JsonObject
        {
            ["tm-exp"] = new JsonObject
            {
                ["Enabled"] = true,
                ["Match"] = new JsonObject { ["Models"] = new JsonArray("tm-qwen") },
                ["Candidates"] = new JsonArray("tm-cand"),
                ["SampleRate"] = 1,
                ["EmbeddingsDeployment"] = "tm-embed-cand",
                ["JudgeDeployment"] = "tm-judge",
            },
        };
        config["Telemetry"] = new JsonObject
        {
            ["Prometheus"] = new JsonObject { ["Enabled"] = true },
            ["Baseline"] = new JsonObject
            {
                ["Name"] = "closed-baseline",
                ["InputPerMillion"] = Baseline.InputPerMillion,
                ["CachedInputPerMillion"] = Baseline.CachedInputPerMillion,
                ["OutputPerMillion"] = Baseline.OutputPerMillion,
            },
        };
        return config;
    }

    private static void RegisterStandIns(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IQuotaService, HeaderDrivenQuotaService>();
        builder.Services.AddSingleton<IRoutePlanner>(services =>
            new HeaderDrivenPolicyPlanner(ActivatorUtilities.CreateInstance<PolicyRoutePlanner>(services)));
        builder.Services.AddSingleton<ICircuitStateSource>(new FixedCircuitStateSource(
            new DeploymentCircuitState("tm-qwen-self", BreakerState.Closed), new DeploymentCircuitState("tm-fallback-dead", BreakerState.Open)));
        builder.Services.AddSingleton<IQuotaRemainingSource>(new FixedQuotaRemainingSource(
            new TeamQuotaRemaining("team-a", 80m, 100m), new TeamQuotaRemaining("team-b", 5m, 50m)));
    }

    /// <summary>Ten requests: four served, one fallback, one upstream error, one quota and one policy refusal, two client errors.</summary>
    private static async Task SendWaveAsync(HttpClient http, SimulatorHost simulator)
    {
        await ExpectAsync(http, "/v1/chat/completions", Chat("tm-qwen"), HttpStatusCode.OK, team: "team-a");
        await ExpectAsync(http, "/v1/chat/completions", Chat("tm-qwen", stream: true), HttpStatusCode.OK, team: "team-b");
        await ExpectAsync(http, "/v1/chat/completions", Chat("tm-gpt"), HttpStatusCode.OK, team: "team-b");
        await ExpectAsync(http, "/v1/embeddings", """{"model":"tm-embed","input":"the quick brown fox"}""", HttpStatusCode.OK, team: "team-a");
        await ExpectAsync(http, "/v1/chat/completions", Chat("tm-fallback"), HttpStatusCode.OK, team: "team-a");

        simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 500 });
        await ExpectAsync(http, "/v1/chat/completions", Chat("tm-gpt"), HttpStatusCode.BadGateway, team: "team-b");

        await ExpectAsync(http, "/v1/chat/completions", Chat("tm-qwen"), HttpStatusCode.TooManyRequests, team: "team-b",
            header: (HeaderDrivenQuotaService.ExhaustedHeader, "exhausted"));
        await ExpectAsync(http, "/v1/chat/completions", Chat("tm-qwen"), HttpStatusCode.Forbidden, team: "team-a",
            header: (HeaderDrivenPolicyPlanner.DenyHeader, "deny"));
        await ExpectAsync(http, "/v1/chat/completions", Chat("no-such-model"), HttpStatusCode.NotFound, team: "team-a");
        await ExpectAsync(http, "/v1/chat/completions", """{"model":"tm-qwen","messages":"not a list"}""", HttpStatusCode.BadRequest, team: "team-a");
    }

    private static string Chat(string model, bool stream = false) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Tell me about the weather in three sentences."}]}""");

    private static async Task ExpectAsync(HttpClient http, string path, string json, HttpStatusCode status, string team, (string Name, string Value)? header = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add(HeaderDrivenQuotaService.TeamHeader, team);
        if (header is { } extra)
        {
            request.Headers.Add(extra.Name, extra.Value);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{path} {json} -> {(int)response.StatusCode} {body}");
    }
}
