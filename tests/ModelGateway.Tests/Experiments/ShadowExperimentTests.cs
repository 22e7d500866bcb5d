using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using static ModelGateway.Tests.Experiments.ExperimentTestConfig;

namespace ModelGateway.Tests.Experiments;

/// <summary>
/// Shadow experiments end to end (issue 17, points 2-4): real Kestrel, the simulator as every upstream (a candidate
/// made measurably worse by an answer profile), the real SQLite ledger and the admin report.
/// </summary>
public sealed class ShadowExperimentTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_candidate_that_picks_the_wrong_tool_in_30_percent_of_calls_reports_about_70_percent_tool_agreement_over_500_requests()
    {
        await using var sim = await SimulatorHost.StartAsync(o => o.Profiles["cand-model"] = new AnswerProfile { WrongToolShare = 0.3, Seed = 17 });
        var config = Gateway(sim)
            .WithDeployment("cand", "local", ["cand"], upstreamModel: "cand-model", input: 0.1m, output: 0.2m)
            .WithExperiment("tools", ["cand"]);
        var (gateway, admin) = await StartAsync(config);
        await using var _ = gateway;
        using var __ = admin;
        using var http = gateway.HttpClient();

        const int Requests = 500;
        await SendAsync(http, Requests, i => Chat($"What is the weather, case {i.ToString(CultureInfo.InvariantCulture)}?", tools: true));
        var report = await ReportAsync(admin, "tools", Requests);

        var group = Candidate(report, "cand");
        output.WriteLine(group.ToJsonString());
        Assert.Equal(Requests, group["pairs"]!.GetValue<int>());
        Assert.Equal(Requests, group["compared"]!.GetValue<int>());
        Assert.Equal(Requests, group["toolCalls"]!["expected"]!.GetValue<int>());

        // Stated tolerance: the profile's choice is a Bernoulli(0.3) per distinct prompt, so over 500 prompts the
        // agreement has a standard deviation of sqrt(0.3 * 0.7 / 500) = 2.05 points; we accept 3 deviations (6.2 points).
        var agreement = Rate(group, "toolCalls.sameFunction.rate");
        Assert.InRange(agreement, 0.70 - 0.062, 0.70 + 0.062);
        Assert.InRange(0.70, Rate(group, "toolCalls.sameFunction.low") - 0.03, Rate(group, "toolCalls.sameFunction.high") + 0.03);

        // Same function means the same arguments here (the simulator builds them from the schema); a wrong tool's are still valid for it.
        Assert.Equal(agreement, Rate(group, "toolCalls.argumentsEqual.rate"), 3);
        Assert.Equal(1.0, Rate(group, "toolCalls.argumentsValid.rate"));

        // Both sides priced: the candidate is far cheaper, so the projection is a saving.
        Assert.True(Rate(group, "costPer1000RequestsUsd.live") > Rate(group, "costPer1000RequestsUsd.candidate") * 5);
        Assert.True(Rate(group, "projection.monthlySavingUsd") > 0);
        Assert.Equal(Requests, sim.State.Received.Count(r => r.Body.Contains("\"cand-model\"", StringComparison.Ordinal)));

        // The client's request log holds the live requests only; shadow cost is not in it.
        var ledger = await gateway.Service<ModelGateway.Accounting.IUsageLedger>().WaitForRecordsAsync(Requests);
        Assert.All(ledger, r => Assert.Equal("live", r.DeploymentId));
    }

    [Fact]
    public async Task Structured_output_validity_and_latency_are_reported_for_both_sides_of_streamed_requests()
    {
        await using var sim = await SimulatorHost.StartAsync(o =>
            o.Profiles["cand-model"] = new AnswerProfile { BrokenJsonShare = 0.2, LatencyMs = 120, Seed = 3 });
        var config = Gateway(sim)
            .WithDeployment("cand", "local", ["cand"], upstreamModel: "cand-model", input: 0.1m, output: 0.2m)
            .WithExperiment("schema", ["cand"], concurrency: 16);
        var (gateway, admin) = await StartAsync(config);
        await using var _ = gateway;
        using var __ = admin;
        using var http = gateway.HttpClient();

        const int Requests = 300;
        await SendAsync(http, Requests, i => Chat($"Classify message {i.ToString(CultureInfo.InvariantCulture)}", stream: true, schema: true), parallel: 16);
        var report = await ReportAsync(admin, "schema", Requests);
        var group = Candidate(report, "cand");
        output.WriteLine(group.ToJsonString());

        Assert.Equal(Requests, group["structuredOutput"]!["expected"]!.GetValue<int>());
        Assert.Equal(1.0, Rate(group, "structuredOutput.liveValid.rate"));

        // Bernoulli(0.2) breakage per prompt: sd sqrt(0.2 * 0.8 / 300) = 2.3 points; 3 deviations = 6.9 points.
        Assert.InRange(Rate(group, "structuredOutput.candidateValid.rate"), 0.80 - 0.069, 0.80 + 0.069);

        // The candidate waits 120 ms before its first token: both its time to first token and its latency show it.
        Assert.Equal(Requests, group["timeToFirstTokenMs"]!["streamedPairs"]!.GetValue<int>());
        Assert.True(Rate(group, "timeToFirstTokenMs.candidate.p50") >= 115);
        Assert.True(Rate(group, "latencyMs.candidate.p50") >= 115);
        Assert.True(Rate(group, "timeToFirstTokenMs.live.p50") < Rate(group, "timeToFirstTokenMs.candidate.p50"));
    }

    [Fact]
    public async Task A_card_number_prompt_never_reaches_a_public_candidate_embeddings_or_judge_deployment()
    {
        await using var local = await SimulatorHost.StartAsync(o => o.Name = "sim");
        await using var cloud = await SimulatorHost.StartAsync(o => o.Name = "sim");
        await using var judge = await SimulatorHost.StartAsync(o => o.Name = "judge");
        judge.State.SetScript(new ScriptSpec { Answer = "1" });
        var config = Gateway(local)
            .WithProvider("cloud", cloud.BaseUrl + "/v1", trust: "public")
            .WithProvider("judges", judge.BaseUrl + "/v1", trust: "public")
            .WithDeployment("self-cand", "local", ["self-cand"], upstreamModel: "self-model", input: 0.1m, output: 0.2m)
            .WithDeployment("cloud-cand", "cloud", ["cloud-cand"], upstreamModel: "cloud-model", input: 0.1m, output: 0.2m)
            .WithDeployment("cloud-embed", "cloud", ["cloud-embed"], upstreamModel: "sim-embed", input: 0.01m, output: 0m, capabilities: ["embeddings"])
            .WithDeployment("cloud-judge", "judges", ["cloud-judge"], upstreamModel: "judge-model", input: 1m, output: 1m)
            .WithExperiment("privacy", ["cloud-cand", "self-cand"], embeddings: "cloud-embed", judge: "cloud-judge");
        var (gateway, admin) = await StartAsync(config);
        await using var _ = gateway;
        using var __ = admin;
        using var http = gateway.HttpClient();

        await SendAsync(http, 3, i => Chat(i == 1 ? Routing.RoutingTestConfig.CardPrompt : $"Say hello, case {i.ToString(CultureInfo.InvariantCulture)}"), parallel: 1);
        var report = await ReportAsync(admin, "privacy", 6);

        // The card prompt (confidential: self-hosted only) went to the self-hosted candidate and nowhere else.
        Assert.Contains(local.State.Received, r => r.Body.Contains("4111", StringComparison.Ordinal) && r.Body.Contains("self-model", StringComparison.Ordinal));
        Assert.DoesNotContain(cloud.State.Received, r => r.Body.Contains("4111", StringComparison.Ordinal));
        Assert.DoesNotContain(judge.State.Received, r => r.Body.Contains("4111", StringComparison.Ordinal));

        // The public candidate, embeddings and judge did serve the two ordinary prompts.
        Assert.Equal(2, cloud.State.Received.Count(r => r.Body.Contains("cloud-model", StringComparison.Ordinal)));
        Assert.Equal(4, cloud.State.Received.Count(r => r.Path == "/v1/embeddings"));
        Assert.Equal(4, judge.State.Received.Count);

        output.WriteLine(report.ToJsonString());
        var publicGroup = Candidate(report, "cloud-cand");
        Assert.Equal(1, publicGroup["outcomes"]!["skipped_sensitivity"]!.GetValue<int>());
        Assert.Equal(2, publicGroup["compared"]!.GetValue<int>());
        var selfGroup = Candidate(report, "self-cand");
        Assert.Equal(3, selfGroup["compared"]!.GetValue<int>());

        // Same simulator, same prompt: the self-hosted candidate's text matches exactly, and the embeddings agree.
        Assert.Equal(1.0, Rate(selfGroup, "text.exactMatch.rate"));
        Assert.Equal(2, selfGroup["text"]!["similarity"]!["count"]!.GetValue<int>());
        Assert.Equal(1.0, Rate(selfGroup, "text.similarity.mean"), 6);

        // The judge always says "1": a candidate shown first wins, one shown second loses; all of it is position bias.
        var verdicts = selfGroup["judge"]!;
        Assert.Equal(2, verdicts["judged"]!.GetValue<int>());
        Assert.Equal(2, verdicts["candidateWins"]!["successes"]!.GetValue<int>() + verdicts["liveWins"]!["successes"]!.GetValue<int>());
        Assert.Equal(1.0, Rate(verdicts, "firstPositionWins.rate"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_sampled_client_gets_the_same_bytes_as_an_unsampled_one(bool stream)
    {
        await using var sim = await SimulatorHost.StartAsync();
        var config = Gateway(sim)
            .WithDeployment("cand", "local", ["cand"], upstreamModel: "cand-model", input: 0.1m, output: 0.2m)
            .WithExperiment("bytes", ["cand"]);
        var models = (System.Text.Json.Nodes.JsonArray)config["Deployments"]!["live"]!["Models"]!;
        models.Add("unsampled");
        var (gateway, admin) = await StartAsync(config);
        await using var _ = gateway;
        using var __ = admin;
        using var http = gateway.HttpClient();

        async Task<string> AnswerAsync(string model)
        {
            var body = (await Chat("Tell me a story", stream: stream, tools: true).ReadAsStringAsync()).Replace($"\"{Model}\"", $"\"{model}\"", StringComparison.Ordinal);
            using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // Ids and timestamps differ per call; everything else must be byte for byte the same.
            return System.Text.RegularExpressions.Regex.Replace(await response.Content.ReadAsStringAsync(),
                "\"(id|created)\":(\"[^\"]*\"|[0-9]+)", "\"$1\":0");
        }

        var sampled = await AnswerAsync(Model);
        var unsampled = await AnswerAsync("unsampled");
        Assert.Equal(unsampled, sampled);
        Assert.Equal(1, (await ReportAsync(admin, "bytes", 1))["pairs"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_client_quota_budget_request_log_and_breakers_are_untouched_when_every_candidate_fails_or_hangs()
    {
        await using var local = await SimulatorHost.StartAsync(o =>
            o.Profiles["hang-model"] = new AnswerProfile { LatencyMs = 120_000 });
        await using var broken = await SimulatorHost.StartAsync();
        broken.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 500, Count = 1000 });
        var config = Gateway(local)
            .WithProvider("broken", broken.BaseUrl + "/v1")
            .WithDeployment("cand-fail", "broken", ["cand-fail"], upstreamModel: "fail-model", input: 0.1m, output: 0.2m)
            .WithDeployment("cand-hang", "local", ["cand-hang"], upstreamModel: "hang-model", input: 0.1m, output: 0.2m)
            .WithExperiment("doomed", ["cand-fail", "cand-hang"], timeout: "00:00:02", concurrency: 16);
        Quotas.QuotaTestConfig.WithTeam(config, "payments", new JsonObject { ["UsdPerDay"] = 100 });
        Quotas.QuotaTestConfig.WithTestKey(config, team: "payments");
        var (gateway, admin) = await StartAsync(config);
        await using var _ = gateway;
        using var __ = admin;
        using var http = gateway.HttpClient();

        // Every client gets its answer at once although each of its shadows hangs for two minutes (until the 2 s timeout).
        const int Requests = 12;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await SendAsync(http, Requests, i => Chat($"Hello {i.ToString(CultureInfo.InvariantCulture)}", stream: i % 2 == 0), parallel: 4);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"The clients waited {clock.Elapsed}.");
        var report = await ReportAsync(admin, "doomed", 2 * Requests);
        Assert.Equal(Requests, Candidate(report, "cand-fail")["outcomes"]!["candidate_error"]!.GetValue<int>());
        Assert.Equal(Requests, Candidate(report, "cand-hang")["outcomes"]!["candidate_timeout"]!.GetValue<int>());

        // The request log and the team's budget hold the live requests alone.
        var records = await gateway.Service<ModelGateway.Accounting.IUsageLedger>().WaitForRecordsAsync(Requests);
        Assert.Equal(Requests, records.Count);
        Assert.All(records, r => Assert.Equal("live", r.DeploymentId));
        var now = DateTimeOffset.UtcNow;
        var usage = await gateway.Service<ModelGateway.Quotas.QuotaStores>().Primary.ReadAsync(
            "team:payments", "team:payments", now.ToString("yyyyMMdd", CultureInfo.InvariantCulture), now.ToString("yyyyMM", CultureInfo.InvariantCulture), default);
        Assert.Equal(records.Sum(r => ModelGateway.Quotas.QuotaService.ToNano(r.CostUsd)), usage.SpentDayNano);
        Assert.Equal(0, usage.InFlight);

        // No breaker opened and no latency statistic learned from the shadows (twelve 500s would open a breaker).
        var health = gateway.Service<ModelGateway.Routing.DeploymentHealth>();
        var statistics = gateway.Service<ModelGateway.Routing.DeploymentStatistics>();
        foreach (var deployment in new[] { "cand-fail", "cand-hang" })
        {
            Assert.Equal(ModelGateway.Routing.HealthState.Available, health.Check(deployment, DateTimeOffset.UtcNow, out var blockedUntil));
            Assert.Equal(0, statistics.Get(deployment).Samples);
        }

        // The failing candidate still serves clients that ask for it directly (its breaker is closed).
        broken.State.ClearFaults();
        using var direct = await http.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"cand-fail","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
    }
}
