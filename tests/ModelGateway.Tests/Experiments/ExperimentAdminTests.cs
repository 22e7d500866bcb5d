using System.Net;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Admin;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Experiments;

/// <summary>
/// Experiments as an admin resource (issue 17, point 1): validated like the rest (every problem named, 422),
/// versioned and audited, started and stopped by admin calls that take effect on the next request, and reported
/// as JSON or CSV with RFC 9457 errors.
/// </summary>
public sealed class ExperimentAdminTests : AdminFixture
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/deployments", new JsonObject
        {
            ["id"] = "cand",
            ["provider"] = "sim",
            ["models"] = new JsonArray("cand"),
            ["upstreamModel"] = "cand-model",
            ["price"] = new JsonObject { ["inputPerMillion"] = 0.1, ["outputPerMillion"] = 0.2 },
            ["capabilities"] = new JsonArray("chat", "tools"),
        }, HttpStatusCode.Created);
    }

    [Fact]
    public async Task Every_problem_of_an_experiment_is_named_at_once()
    {
        var problem = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/experiments", new JsonObject
        {
            ["id"] = "bad",
            ["match"] = new JsonObject { ["models"] = new JsonArray("nope"), ["keys"] = new JsonArray("ghost"), ["protocols"] = new JsonArray("smtp") },
            ["candidates"] = new JsonArray("missing"),
            ["sampleRate"] = 1.5,
            ["maxConcurrentShadowCalls"] = 0,
            ["maxShadowSpendUsdPerDay"] = -1,
            ["embeddingsDeployment"] = "qwen-sim",
            ["judgeDeployment"] = "nowhere",
            ["shadowTimeout"] = "00:00:00",
            ["maxGatewayCpu"] = 0,
        }, HttpStatusCode.UnprocessableEntity);

        var errors = AllErrors(problem);
        foreach (var field in new[]
        {
            "Experiments:bad:Match:Models", "Experiments:bad:Match:Keys", "Experiments:bad:Match:Protocols", "Experiments:bad:Candidates",
            "Experiments:bad:SampleRate", "Experiments:bad:MaxConcurrentShadowCalls", "Experiments:bad:MaxShadowSpendUsdPerDay",
            "Experiments:bad:EmbeddingsDeployment", "Experiments:bad:JudgeDeployment", "Experiments:bad:ShadowTimeout",
            "Experiments:bad:MaxGatewayCpu",
        })
        {
            Assert.Contains(field, ErrorFields(problem));
        }

        Assert.Contains("smtp", errors, StringComparison.Ordinal);
        Assert.Contains("cannot serve embeddings", errors, StringComparison.Ordinal);

        // An unknown field is named by the strict check, as in the configuration file.
        var typo = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/experiments", new JsonObject
        {
            ["id"] = "typo",
            ["candidates"] = new JsonArray("cand"),
            ["sampleRat"] = 0.5,
        }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Experiments:typo:sampleRat", ErrorFields(typo));
        Assert.Contains("unknown field", AllErrors(typo), StringComparison.Ordinal);

        // A deployment an experiment names cannot be deleted from under it.
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/experiments", Experiment("ok"), HttpStatusCode.Created);
        var conflict = await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/deployments/cand", null, HttpStatusCode.Conflict);
        Assert.Contains("experiments/ok", conflict["referrers"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_and_stop_are_versioned_audited_and_take_effect_on_the_next_request()
    {
        var created = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/experiments", Experiment("trial"), HttpStatusCode.Created);
        Assert.False(created["enabled"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));
        Assert.DoesNotContain(Simulator.State.Received, r => ModelOf(r) == "cand-model");

        var started = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/experiments/trial/start", null, HttpStatusCode.OK);
        Assert.True(started["enabled"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));
        await Simulator.Eventually(() => Simulator.State.Received.Any(r => ModelOf(r) == "cand-model"));

        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/experiments/trial/stop", null, HttpStatusCode.OK);
        var report = await ExperimentTestConfig.ReportAsync(Admin, "trial", 1);
        Simulator.State.Clear();
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));
        await Task.Delay(200);
        Assert.DoesNotContain(Simulator.State.Received, r => ModelOf(r) == "cand-model");
        Assert.Equal(1, report["pairs"]!.GetValue<int>());

        var audit = await GetAsync(Admin, "/admin/v1/audit");
        var actions = audit["data"]!.AsArray().Select(a => a!["action"]!.GetValue<string>()).ToList();
        Assert.Contains("start experiments/trial", actions);
        Assert.Contains("stop experiments/trial", actions);
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/experiments/none/start", null, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_report_answers_json_or_csv_and_refuses_bad_queries_with_problem_details()
    {
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/experiments", Experiment("csv", enabled: true), HttpStatusCode.Created);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));
        }

        await ExperimentTestConfig.ReportAsync(Admin, "csv", 3);
        using (var csv = await Admin.GetAsync("/admin/v1/experiments/csv/report?format=csv"))
        {
            Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
            var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
            Assert.StartsWith("scope,candidate,pairs,compared,", lines[0], StringComparison.Ordinal);
            Assert.Equal(4, lines.Length); // the candidate, its model, its team (none)
            Assert.StartsWith("candidate,cand,3,3,", lines[1], StringComparison.Ordinal);
        }

        using (var accept = new HttpRequestMessage(HttpMethod.Get, "/admin/v1/experiments/csv/report"))
        {
            accept.Headers.Accept.ParseAdd("text/csv");
            using var response = await Admin.SendAsync(accept);
            Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        }

        foreach (var (query, status) in new[]
        {
            ("/admin/v1/experiments/csv/report?format=xml", HttpStatusCode.BadRequest),
            ("/admin/v1/experiments/csv/report?from=yesterday", HttpStatusCode.BadRequest),
            ("/admin/v1/experiments/csv/report?from=2026-02-01&to=2026-01-01", HttpStatusCode.BadRequest),
            ("/admin/v1/experiments/ghost/report", HttpStatusCode.NotFound),
        })
        {
            using var response = await Admin.GetAsync(query);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using var viewer = AdminClient(Gateway, ReadOnlyKey);
        using var read = await viewer.GetAsync("/admin/v1/experiments/csv/report");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var write = await viewer.PostAsync("/admin/v1/experiments/csv/stop", null);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }

    private static JsonObject Experiment(string id, bool enabled = false) => new()
    {
        ["id"] = id,
        ["enabled"] = enabled,
        ["match"] = new JsonObject { ["models"] = new JsonArray("qwen3"), ["protocols"] = new JsonArray("chat", "messages") },
        ["candidates"] = new JsonArray("cand"),
        ["sampleRate"] = 1,
        ["maxGatewayCpu"] = 1, // The test host is busy; these tests wait for shadow calls.
    };
}

internal static class SimulatorWaits
{
    public static Task Eventually(this SimulatorHost _, Func<bool> condition) => ModelGateway.Tests.Simulator.Eventually.TrueAsync(condition);
}
