using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using static ModelGateway.Tests.Experiments.ExperimentTestConfig;

namespace ModelGateway.Tests.Experiments;

/// <summary>
/// Replay (issue 17, point 6): a JSON Lines dataset uploaded through the admin API runs against the candidates at
/// bounded concurrency, with the same checks, the same sensitivity policy and the same report (its own source).
/// </summary>
public sealed class ReplayTests
{
    [Fact]
    public async Task An_uploaded_dataset_runs_against_the_candidates_and_reports_like_live_traffic()
    {
        await using var local = await SimulatorHost.StartAsync(o => o.Profiles["wrong-model"] = new AnswerProfile { WrongToolShare = 1 });
        await using var cloud = await SimulatorHost.StartAsync();
        var config = Gateway(local)
            .WithProvider("cloud", cloud.BaseUrl + "/v1", trust: "public")
            .WithDeployment("wrong", "local", ["wrong"], upstreamModel: "wrong-model", input: 0.1m, output: 0.2m)
            .WithDeployment("faithful-cloud", "cloud", ["faithful-cloud"], upstreamModel: "cloud-model", input: 0.1m, output: 0.2m)
            .WithExperiment("offline", ["wrong", "faithful-cloud"], enabled: false);
        var (gateway, admin) = await StartAsync(config);
        await using var _ = gateway;
        using var __ = admin;

        var tools = JsonNode.Parse(Tools)!;
        var lines = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            // Requests: the baseline is the deployment routing picks for them ("live").
            lines.Add(new JsonObject
            {
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Weather, request " + i.ToString(CultureInfo.InvariantCulture) }),
                ["tools"] = tools.DeepClone(),
            }.ToJsonString());

            // Fine-tuning lines: the final assistant message is the reference answer.
            lines.Add(new JsonObject
            {
                ["messages"] = new JsonArray(
                    new JsonObject { ["role"] = "user", ["content"] = "Weather, example " + i.ToString(CultureInfo.InvariantCulture) },
                    new JsonObject
                    {
                        ["role"] = "assistant",
                        ["weight"] = 1,
                        ["tool_calls"] = new JsonArray(new JsonObject
                        {
                            ["id"] = "call_1",
                            ["type"] = "function",
                            ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = """{"days":42,"city":"sim-city"}""" },
                        }),
                    }),
                ["tools"] = tools.DeepClone(),
            }.ToJsonString());
        }

        lines.Add(new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Routing.RoutingTestConfig.CardPrompt }),
        }.ToJsonString());

        using var upload = new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8, "application/x-ndjson");
        using var started = await admin.PostAsync("/admin/v1/experiments/offline/replays?concurrency=3", upload);
        var replay = await AdminStatus(started, HttpStatusCode.Accepted);
        var id = replay["id"]!.GetValue<string>();
        Assert.Equal($"/admin/v1/experiments/offline/replays/{id}", started.Headers.Location?.ToString());
        Assert.Equal(9, replay["lines"]!.GetValue<int>());

        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonObject progress;
        do
        {
            await Task.Delay(100);
            progress = (await admin.GetFromJsonAsync<JsonObject>($"/admin/v1/experiments/offline/replays/{id}"))!;
            Assert.True(DateTime.UtcNow < deadline, progress.ToJsonString());
        }
        while (progress["status"]!.GetValue<string>() == "running");

        Assert.Equal("completed", progress["status"]!.GetValue<string>());
        Assert.Equal(9, progress["done"]!.GetValue<int>());

        var report = (await admin.GetFromJsonAsync<JsonObject>($"/admin/v1/experiments/offline/report?source=replay:{id}"))!;
        while (report["pairs"]!.GetValue<int>() < 18)
        {
            Assert.True(DateTime.UtcNow < deadline, report.ToJsonString());
            await Task.Delay(100);
            report = (await admin.GetFromJsonAsync<JsonObject>($"/admin/v1/experiments/offline/report?source=replay:{id}"))!;
        }

        var wrong = Candidate(report, "wrong");
        Assert.Equal(9, wrong["compared"]!.GetValue<int>());
        Assert.Equal(8, wrong["toolCalls"]!["expected"]!.GetValue<int>());
        Assert.Equal(0.0, Rate(wrong, "toolCalls.sameFunction.rate"));
        var faithful = Candidate(report, "faithful-cloud");
        Assert.Equal(1, faithful["outcomes"]!["skipped_sensitivity"]!.GetValue<int>());
        Assert.Equal(1.0, Rate(faithful, "toolCalls.sameFunction.rate"));
        Assert.Equal(1.0, Rate(faithful, "toolCalls.argumentsEqual.rate"));

        // The card line went to the self-hosted baseline and candidate only; no live traffic was involved.
        Assert.DoesNotContain(cloud.State.Received, r => r.Body.Contains("4111", StringComparison.Ordinal));
        Assert.Equal(5, local.State.Received.Count(r => r.Body.Contains("\"live-model\"", StringComparison.Ordinal)));
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonObject>("/admin/v1/experiments/offline/report?source=live"))!["pairs"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_dataset_with_bad_lines_is_refused_with_each_line_named()
    {
        await using var local = await SimulatorHost.StartAsync();
        var config = Gateway(local)
            .WithDeployment("cand", "local", ["cand"], upstreamModel: "cand-model", input: 0.1m, output: 0.2m)
            .WithExperiment("offline", ["cand"]);
        var (gateway, admin) = await StartAsync(config);
        await using var _ = gateway;
        using var __ = admin;

        using var upload = new StringContent("""
            {"messages":[{"role":"user","content":"fine"}]}
            {"messages":
            {"model":"assistant"}
            """, Encoding.UTF8, "application/x-ndjson");
        using var refused = await admin.PostAsync("/admin/v1/experiments/offline/replays", upload);
        var problem = await AdminStatus(refused, HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.ToJsonString();
        Assert.Contains("line 2", errors, StringComparison.Ordinal);
        Assert.Contains("line 3", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("line 1", errors, StringComparison.Ordinal);

        using var missing = await admin.PostAsync("/admin/v1/experiments/nope/replays", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var unknownReplay = await admin.GetAsync("/admin/v1/experiments/offline/replays/rpl_none");
        Assert.Equal(HttpStatusCode.NotFound, unknownReplay.StatusCode);
        Assert.Empty(local.State.Received);
    }

    [Fact]
    public async Task A_replayed_line_takes_the_highest_default_level_of_the_teams_the_experiment_matches()
    {
        await using var local = await SimulatorHost.StartAsync();
        await using var cloud = await SimulatorHost.StartAsync();
        var config = Gateway(local)
            .WithProvider("cloud", cloud.BaseUrl + "/v1", trust: "public")
            .WithDeployment("cloud-cand", "cloud", ["cloud-cand"], upstreamModel: "cloud-model", input: 0.1m, output: 0.2m)
            .WithExperiment("legal", ["cloud-cand"]);
        Quotas.QuotaTestConfig.WithTeam(config, "legal", new JsonObject());
        Quotas.QuotaTestConfig.WithTestKey(config, team: "legal");
        config["Sensitivity"] = new JsonObject { ["TeamDefaults"] = new JsonObject { ["legal"] = "confidential" } };
        ((JsonObject)config["Experiments"]!["legal"]!["Match"]!)["Teams"] = new JsonArray("legal");
        var (gateway, admin) = await StartAsync(config);
        await using var _ = gateway;
        using var __ = admin;

        // Nothing in the line is sensitive, but the legal team's traffic is confidential: self-hosted only.
        using var upload = new StringContent("""{"messages":[{"role":"user","content":"Summarise the weather"}]}""", Encoding.UTF8, "application/x-ndjson");
        using var started = await admin.PostAsync("/admin/v1/experiments/legal/replays", upload);
        var id = (await AdminStatus(started, HttpStatusCode.Accepted))["id"]!.GetValue<string>();
        var report = await ReportAsync(admin, "legal", 1);

        Assert.Equal(1, Candidate(report, "cloud-cand")["outcomes"]!["skipped_sensitivity"]!.GetValue<int>());
        Assert.Empty(cloud.State.Received);
        Assert.Single(local.State.Received);
        Assert.StartsWith("rpl_", id, StringComparison.Ordinal);
    }

    private static async Task<JsonObject> AdminStatus(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
