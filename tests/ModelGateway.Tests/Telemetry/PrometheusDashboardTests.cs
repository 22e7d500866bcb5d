using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Accounting;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.Quotas;
using ModelGateway.Telemetry;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Telemetry;

/// <summary>
/// The end-to-end check of the observability story: a real Prometheus scrapes a real gateway serving a known mix of
/// simulated traffic; every PromQL expression in the shipped dashboards must return data, and spend and savings in
/// Prometheus must equal the sums of the per-request costs. Everything the panels show is produced by the gateway's
/// own services: teams and keys with limits and budgets in the configuration, the quota service refusing a key at
/// its concurrency limit and a team whose spend has used up its monthly budget, the sensitivity policy refusing card
/// data for a public deployment, a deployment whose every call fails (a simulator fault) until its breaker opens, a
/// self-hosted deployment at its capacity spilling over to a rented one, and the budget monitor's gauges.
/// </summary>
[Collection(nameof(SerialMetrics))]
public sealed class PrometheusDashboardTests
{
    // Prices high enough that a handful of requests cost dollars, so "within a cent" is a real check.
    private static readonly ModelPrice Baseline = new(10_000m, 2_500m, 30_000m);
    private const string Models = "tm-.*";

    // Eleven requests per wave; two are client errors whose model label is not a configured model ("other", "none").
    private const int RequestsPerWave = 9;

    // team-b pays USD 5,000 per million input tokens on tm-gpt: each wave's served tm-gpt call reports 6,000 prompt
    // tokens (USD 30). The budget request asks for 5,300 output tokens (USD 79.50 held at USD 15,000 per million):
    // alone it fits the USD 100 monthly budget, after a wave's spend it does not.
    private const decimal TeamBMonthlyBudget = 100m;
    private const int SpendPromptTokens = 6_000;
    private const decimal SpendPerWave = 30m;
    private const int BudgetBreakingOutputTokens = 5_300;
    private const decimal TeamADailyBudget = 1_000m;
    private const decimal TeamAMonthlyBudget = 20_000m;

    private const string TeamAKey = "mg-test-team-a";
    private const string TeamABatchKey = "mg-test-team-a-batch";
    private const string TeamBKey = "mg-test-team-b";

    [Fact]
    public async Task Every_dashboard_query_returns_data_and_spend_and_savings_match_the_per_request_costs()
    {
        Assert.True(PrometheusServer.FindBinary() is not null,
            "The prometheus binary is missing: install it with 'apt-get install -y prometheus' (tests/run.sh does this on CI), or set PROMETHEUS_BIN.");

        await using var simulator = await SimulatorHost.StartAsync(options => options.Name = "sim");

        // The shadow experiment's candidate, judge and embeddings on their own simulator: its faults are the waves' alone.
        await using var shadows = await SimulatorHost.StartAsync(options => options.Name = "sim");
        await using var gateway = await GatewayHost.StartAsync(GatewayConfig(simulator.BaseUrl + "/v1", shadows.BaseUrl + "/v1"));
        using var teamA = gateway.HttpClient(TeamAKey);
        using var teamABatch = gateway.HttpClient(TeamABatchKey);
        using var teamB = gateway.HttpClient(TeamBKey);
        var traffic = new Traffic(gateway, teamA, teamABatch, teamB);
        await using var prometheus = await PrometheusServer.StartAsync(new Uri(gateway.BaseUrl).Authority);
        await prometheus.WaitForAsync("up{job=\"modelgateway\"}", up => up == 1, "the gateway as up");

        // Two waves of the same mix, each seen by a scrape, so range functions (rate, increase) have data to work on.
        await SendWaveAsync(traffic, wave: 1);
        await prometheus.WaitForAsync($"sum(modelgateway_requests_total{{model=~\"{Models}\"}})", n => n == RequestsPerWave, "the first wave");
        await SendWaveAsync(traffic, wave: 2);
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
        foreach (var (outcome, perWave) in new[] { ("served", 4), ("fell_back", 1), ("upstream_error", 1), ("rejected_quota", 2), ("rejected_policy", 1), ("client_error", 2) })
        {
            var model = outcome == "client_error" ? "other|none" : Models;
            Assert.Equal(2 * perWave, await prometheus.ScalarAsync($"sum(modelgateway_requests_total{{outcome=\"{outcome}\",model=~\"{model}\"}})"));
        }

        Assert.Equal(2, await prometheus.ScalarAsync("sum(modelgateway_fallbacks_total{deployment=\"tm-fallback-self\"})"));
        Assert.Equal(2, await prometheus.ScalarAsync("sum(gen_ai_client_operation_time_to_first_chunk_seconds_count{deployment=\"tm-qwen-self\"})"));

        // Capacity: the self-hosted deployment at its limit was passed over once per wave; 3 of the 5 served requests
        // per wave ran on self-hosted deployments (the spilled one on the contracted host, tm-gpt on the public one).
        Assert.Equal(2, await prometheus.ScalarAsync("sum(modelgateway_routing_spillovers_total{deployment=\"tm-qwen-self\"})"));
        Assert.Equal(0.6, await prometheus.ScalarAsync(
            $"sum(modelgateway_requests_total{{trust_tier=\"self-hosted\",model=~\"{Models}\"}}) / sum(modelgateway_requests_total{{trust_tier!=\"none\",model=~\"{Models}\"}})"));

        // The real breakers: the failing deployment's is open, the healthy ones' closed.
        await prometheus.WaitForAsync("max(modelgateway_circuit_state{deployment=\"tm-fallback-flaky\"})", v => v == 2, "the failing deployment's breaker open");
        Assert.Equal(0, await prometheus.ScalarAsync("max(modelgateway_circuit_state{deployment=~\"tm-qwen-self|tm-gpt-public|tm-fallback-self\"})"));

        // The real budget monitor (it reads the quota store every 15 s): what each team has left of each budget it
        // has is that budget minus its spend; team-a's day and month budgets are separate series.
        await WaitForBudgetAsync(prometheus, records, "team-a", "usd_per_day", TeamADailyBudget);
        await WaitForBudgetAsync(prometheus, records, "team-a", "usd_per_month", TeamAMonthlyBudget);
        await WaitForBudgetAsync(prometheus, records, "team-b", "usd_per_month", TeamBMonthlyBudget);

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
        var config = TestConfig.Gateway()
            .WithProvider("tm-selfhost", simulatorUrl, trust: "self-hosted")
            .WithProvider("tm-rented", simulatorUrl, trust: "contracted")
            .WithProvider("tm-public", simulatorUrl, trust: "public")
            .WithProvider("tm-flaky", simulatorUrl, trust: "contracted")
            .WithDeployment("tm-qwen-self", "tm-selfhost", ["tm-qwen"], input: 2_000m, output: 6_000m)
            .WithDeployment("tm-qwen-rented", "tm-rented", ["tm-qwen"], input: 4_000m, output: 12_000m, priority: 1)
            .WithDeployment("tm-gpt-public", "tm-public", ["tm-gpt"], input: 5_000m, output: 15_000m)
            .WithDeployment("tm-fallback-flaky", "tm-flaky", ["tm-fallback"], input: 1_000m, output: 1_000m, priority: -1)
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
                ["MaxGatewayCpu"] = 1,
                ["EmbeddingsDeployment"] = "tm-embed-cand",
                ["JudgeDeployment"] = "tm-judge",
            },
        };

        // Every call to the flaky provider gets a simulated 500 (the simulator honours a fault header on the request).
        config["Providers"]!["tm-flaky"]!["Headers"] = new JsonObject { ["x-sim-fault"] = "status=500" };

        // One request at a time on the self-hosted tm-qwen: a second one spills over to the rented host.
        config["Deployments"]!["tm-qwen-self"]!["Capacity"] = new JsonObject { ["MaxInFlight"] = 1 };

        // Two failures open a breaker (and keep it open for the test), but not one failure in two: tm-gpt-public fails
        // once per wave beside a success and stays closed.
        config["Fallback"] = new JsonObject
        {
            ["Breaker"] = new JsonObject
            {
                ["FailureRatio"] = 0.9,
                ["MinimumThroughput"] = 2,
                ["SamplingDuration"] = "00:10:00",
                ["BreakDuration"] = "00:10:00",
            },
        };

        // The embedded quota store: the budget gauges read it as they read Redis, and it has no timeouts to fail open on.
        config["Teams"] = new JsonObject
        {
            ["team-a"] = new JsonObject { ["Limits"] = new JsonObject { ["UsdPerDay"] = TeamADailyBudget, ["UsdPerMonth"] = TeamAMonthlyBudget } },
            ["team-b"] = new JsonObject { ["Limits"] = new JsonObject { ["UsdPerMonth"] = TeamBMonthlyBudget } },
        };
        config["Keys"]!["team-a"] = Key(TeamAKey, "team-a");
        config["Keys"]!["team-a-batch"] = Key(TeamABatchKey, "team-a", new JsonObject { ["ConcurrentRequests"] = 1 });
        config["Keys"]!["team-b"] = Key(TeamBKey, "team-b");

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

    private static JsonObject Key(string secret, string team, JsonObject? limits = null)
    {
        var key = new JsonObject { ["Sha256"] = ClientAuthenticationMiddleware.HashKey(secret), ["Team"] = team };
        if (limits is not null)
        {
            key["Limits"] = limits;
        }

        return key;
    }

    /// <summary>
    /// Eleven requests: four served (one after spilling over), one fallback, one upstream error, two quota refusals
    /// (a concurrency limit, a monthly budget), one policy refusal, two client errors.
    /// </summary>
    private static async Task SendWaveAsync(Traffic traffic, int wave)
    {
        // A slow stream (30 chunks 200 ms apart) holds tm-qwen-self's only slot and team-a-batch's only concurrent request.
        using var held = await StartStreamAsync(traffic.TeamABatch, "tm-qwen", chunks: 30, chunkDelayMs: 200);
        await ExpectAsync(traffic.TeamB, "/v1/chat/completions", Chat("tm-qwen", maxTokens: 50), HttpStatusCode.OK, servedBy: "tm-qwen-rented");
        await ExpectAsync(traffic.TeamABatch, "/v1/chat/completions", Chat("tm-gpt"), HttpStatusCode.TooManyRequests, bodyContains: "Too many concurrent requests");
        var streamed = await held.Content.ReadAsStringAsync();
        Assert.True(held.StatusCode == HttpStatusCode.OK && streamed.Contains("data: [DONE]", StringComparison.Ordinal), $"The held stream ended with {(int)held.StatusCode}: {streamed}");

        // team-b spends USD 30 (its upstream reports 6,000 prompt tokens).
        await ExpectAsync(traffic.TeamB, "/v1/chat/completions", Chat("tm-gpt", maxTokens: 50), HttpStatusCode.OK,
            header: ("x-sim-prompt-tokens", SpendPromptTokens.ToString(CultureInfo.InvariantCulture)));
        await ExpectAsync(traffic.TeamA, "/v1/embeddings", """{"model":"tm-embed","input":"the quick brown fox"}""", HttpStatusCode.OK);
        await ExpectAsync(traffic.TeamA, "/v1/chat/completions", Chat("tm-fallback"), HttpStatusCode.OK, servedBy: "tm-fallback-self");
        await ExpectAsync(traffic.TeamB, "/v1/chat/completions", Chat("tm-gpt", maxTokens: 50), HttpStatusCode.BadGateway, header: ("x-sim-fault", "status=500"));

        // Usage is settled just after the last byte reaches the client: wait until team-b's budget shows the spend.
        await traffic.WaitForSpendAsync("team-b", "usd_per_month", wave * SpendPerWave);
        await ExpectAsync(traffic.TeamB, "/v1/chat/completions", Chat("tm-gpt", maxTokens: BudgetBreakingOutputTokens), HttpStatusCode.TooManyRequests,
            bodyContains: "The monthly USD budget of team");

        await ExpectAsync(traffic.TeamA, "/v1/chat/completions", Chat("tm-gpt", content: "Charge my card 4111 1111 1111 1111 for the order."),
            HttpStatusCode.Forbidden, bodyContains: "sensitivity_policy");
        await ExpectAsync(traffic.TeamA, "/v1/chat/completions", Chat("no-such-model"), HttpStatusCode.NotFound);
        await ExpectAsync(traffic.TeamA, "/v1/chat/completions", """{"model":"tm-qwen","messages":"not a list"}""", HttpStatusCode.BadRequest);
    }

    private static string Chat(string model, int? maxTokens = null, string content = "Tell me about the weather in three sentences.")
    {
        var chat = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
        };
        if (maxTokens is { } max)
        {
            chat["max_completion_tokens"] = max;
        }

        return chat.ToJsonString();
    }

    private static async Task ExpectAsync(HttpClient http, string path, string json, HttpStatusCode status,
        (string Name, string Value)? header = null, string? servedBy = null, string? bodyContains = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (header is { } extra)
        {
            request.Headers.Add(extra.Name, extra.Value);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{path} {json} -> {(int)response.StatusCode} {body}");
        if (servedBy is not null)
        {
            var deployment = response.Headers.TryGetValues("x-gateway-deployment", out var values) ? values.Single() : null;
            Assert.True(servedBy == deployment, $"{path} {json} was served by {deployment}, expected {servedBy}.");
        }

        if (bodyContains is not null)
        {
            Assert.True(body.Contains(bodyContains, StringComparison.Ordinal), $"{path} {json} -> {(int)response.StatusCode} {body}; expected '{bodyContains}'.");
        }
    }

    /// <summary>Starts a stream and returns once its headers (sent with the first upstream chunk) have arrived.</summary>
    private static async Task<HttpResponseMessage> StartStreamAsync(HttpClient http, string model, int chunks, int chunkDelayMs)
    {
        var body = $$"""{"model":"{{model}}","stream":true,"messages":[{"role":"user","content":"Tell me about the weather in three sentences."}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-sim-chunks", chunks.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("x-sim-chunk-delay-ms", chunkDelayMs.ToString(CultureInfo.InvariantCulture));
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>Waits until Prometheus shows the team's budget gauges as the budget minus the team's spend in the ledger.</summary>
    private static async Task WaitForBudgetAsync(PrometheusServer prometheus, IReadOnlyList<UsageRecord> records, string team, string budget, decimal limit)
    {
        var remaining = (double)(limit - records.Where(r => r.TeamId == team).Sum(r => r.CostUsd));
        Assert.True(remaining < (double)limit, $"{team} spent nothing.");
        await prometheus.WaitForAsync($"modelgateway_quota_remaining_USD{{team=\"{team}\",budget=\"{budget}\"}}", v => Math.Abs(v - remaining) < 0.01,
            $"{team} with {remaining} USD left of its {budget} budget", timeoutMs: 60_000);
        Assert.Equal((double)limit, await prometheus.ScalarAsync($"modelgateway_quota_limit_USD{{team=\"{team}\",budget=\"{budget}\"}}"));
    }

    /// <summary>The clients of each key, and the gateway's own view of team budgets.</summary>
    private sealed record Traffic(GatewayHost Gateway, HttpClient TeamA, HttpClient TeamABatch, HttpClient TeamB)
    {
        /// <summary>Polls the budget monitor's reading of the quota store until the team has spent (or holds) at least <paramref name="usd"/>.</summary>
        public async Task WaitForSpendAsync(string team, string budget, decimal usd)
        {
            var monitor = Gateway.Service<TeamBudgetMonitor>();
            var deadline = Environment.TickCount64 + 20_000;
            decimal? used = null;
            while (Environment.TickCount64 < deadline)
            {
                var reading = (await monitor.ReadBudgetsAsync(default)).Single(b => b.TeamId == team && b.Budget == budget);
                used = reading.LimitUsd - reading.RemainingUsd;
                if (used >= usd)
                {
                    return;
                }

                await Task.Delay(20);
            }

            Assert.Fail($"{team} shows {used} USD used of its {budget} budget, expected at least {usd}.");
        }
    }
}
