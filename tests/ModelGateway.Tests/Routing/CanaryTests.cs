using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ModelGateway.Simulator;
using ModelGateway.Tests.Admin;
using ModelGateway.Tests.Experiments;
using ModelGateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ModelGateway.Tests.Routing;

/// <summary>
/// The guarded canary (docs/experiments.md): a share of a rule's requests tries a candidate first; a breached guard
/// sets the share to 0 on every replica sharing Redis, with an audit entry and a log event; rollback and promotion
/// are admin calls; the sensitivity policy still keeps a card number away from a public candidate.
/// </summary>
public sealed class CanaryTests(ITestOutputHelper output)
{
    private const string Model = "assistant";

    /// <summary>"assistant" served by "stable" (on <paramref name="stable"/>) with a canary "cand" (on <paramref name="candidate"/>) for rule "main".</summary>
    private static JsonObject Config(SimulatorHost stable, SimulatorHost candidate, double percent, string candidateTrust = "self-hosted", JsonObject? guards = null)
    {
        var config = TestConfig.Gateway()
            .WithProvider("stable", stable.BaseUrl + "/v1", responseTimeout: "00:00:10")
            .WithProvider("cand", candidate.BaseUrl + "/v1", trust: candidateTrust, responseTimeout: "00:00:10")
            .WithDeployment("stable", "stable", [Model], upstreamModel: "stable-model")
            .WithDeployment("cand", "cand", [Model], upstreamModel: "cand-model");
        config["Routes"] = new JsonObject
        {
            ["main"] = new JsonObject
            {
                ["Match"] = new JsonObject { ["Models"] = new JsonArray(Model) },
                ["Deployments"] = new JsonArray("stable"),
                ["Canary"] = new JsonObject
                {
                    ["Deployment"] = "cand",
                    ["Percent"] = percent,
                    ["Guards"] = guards ?? new JsonObject { ["MaxErrorRate"] = 0.5, ["Window"] = "00:02:00", ["MinRequests"] = 4 },
                },
            },
        };

        // The breaker must not take the failing candidate out before its guard judges it: this test is about the guard.
        config["Fallback"] = new JsonObject { ["Breaker"] = new JsonObject { ["MinimumThroughput"] = 100_000 } };
        return config;
    }

    /// <summary>A field of a stored entry, which keeps the casing it was written with (the file's, or the API's).</summary>
    private static JsonNode? Field(JsonObject entry, string name) =>
        entry.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The first log event <paramref name="eventId"/>, once it is written (a breach is logged just after the share drops).</summary>
    private static async Task<CapturedLog> LoggedAsync(LogCapture logs, int eventId)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (logs.Entries.FirstOrDefault(e => e.EventId == eventId) is { } entry)
            {
                return entry;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"No log event {eventId}.");
            await Task.Delay(20);
        }
    }

    private static async Task<HttpStatusCode> ChatAsync(GatewayHost gateway, string prompt = "hello")
    {
        using var client = gateway.HttpClient();
        using var response = await client.PostAsJsonAsync("/v1/chat/completions",
            new { model = Model, messages = new[] { new { role = "user", content = prompt } } });
        return response.StatusCode;
    }

    [Fact]
    public async Task A_failing_candidate_is_rolled_back_to_zero_on_two_replicas_sharing_redis_within_the_guard_window()
    {
        var redis = await RedisServer.SharedAddressAsync();
        await using var stable = await SimulatorHost.StartAsync(o => o.Name = "stable");
        await using var candidate = await SimulatorHost.StartAsync(o => o.Name = "cand");
        var config = Config(stable, candidate, percent: 50);
        config["Quotas"] = new JsonObject { ["Redis"] = redis, ["KeyPrefix"] = RedisServer.NewPrefix() };
        string[] args = [.. AdminFixture.AdminArgs(null), "--Admin:Store=redis", $"--Admin:Redis={redis}", $"--Admin:KeyPrefix={RedisServer.NewTaggedPrefix()}"];
        var logsA = new LogCapture();
        var logsB = new LogCapture();
        await using var replicaA = await GatewayHost.StartAsync(config, b => b.Logging.AddProvider(logsA), args);
        await using var replicaB = await GatewayHost.StartAsync(config, b => b.Logging.AddProvider(logsB), args);
        using var adminA = AdminFixture.AdminClient(replicaA);
        using var adminB = AdminFixture.AdminClient(replicaB);

        // Healthy: about half of replica A's requests go to the candidate first.
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(replicaA));
        }

        var healthy = candidate.State.Received.Count;
        output.WriteLine($"Healthy: {healthy} of 40 requests went to the candidate.");
        Assert.InRange(healthy, 8, 32);
        var before = await AdminFixture.GetAsync(adminB, "/admin/v1/routes/main/canary");
        Assert.Equal(50, before["percentInForce"]!.GetValue<double>());

        // The candidate starts failing: clients still get answers (fallback to the rule's order) until the guard trips on A.
        candidate.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 500, Count = 100_000 });
        var sent = 0;
        while (true)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(replicaA));
            sent++;
            var state = await AdminFixture.GetAsync(adminA, "/admin/v1/routes/main/canary");
            if (state["overriddenBy"] is JsonObject || state["percentInForce"]!.GetValue<double>() == 0)
            {
                break;
            }

            Assert.True(sent < 200, "The error-rate guard never tripped on replica A.");
        }

        var tripped = Stopwatch.StartNew();
        output.WriteLine($"Replica A tripped after {sent} failing-period requests; candidate received {candidate.State.Received.Count - healthy} of them.");

        // Replica B, which sent the candidate nothing failing, shows 0% well within the two-minute guard window.
        while ((await AdminFixture.GetAsync(adminB, "/admin/v1/routes/main/canary"))["percentInForce"]!.GetValue<double>() != 0)
        {
            Assert.True(tripped.Elapsed < TimeSpan.FromSeconds(30), "Replica B still sends a share to the candidate.");
            await Task.Delay(50);
        }

        output.WriteLine($"Replica B at 0% {tripped.ElapsedMilliseconds} ms after replica A tripped.");

        // Neither replica sends the candidate anything more.
        var received = candidate.State.Received.Count;
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(replicaA));
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(replicaB));
        }

        Assert.Equal(received, candidate.State.Received.Count);

        // The log event names the guard and the figure; the audit entry (shared store) says who and why.
        var logged = await LoggedAsync(logsA, 2900);
        Assert.Single(logsA.Entries, e => e.EventId == 2900);
        Assert.Contains("maxErrorRate", logged.Message, StringComparison.Ordinal);
        Assert.Contains("main", logged.Message, StringComparison.Ordinal);
        var audit = (JsonArray)(await AdminFixture.GetAsync(adminB, "/admin/v1/audit"))["data"]!;
        var entry = Assert.Single(audit, e => e!["actor"]!.GetValue<string>() == "canary-guard")!;
        Assert.Contains("maxErrorRate", entry["action"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("routes/main", entry["action"]!.GetValue<string>(), StringComparison.Ordinal);

        var stateA = await AdminFixture.GetAsync(adminA, "/admin/v1/routes/main/canary");
        Assert.Equal("maxErrorRate", stateA["lastBreach"]!["guard"]!.GetValue<string>());
        Assert.True(stateA["lastBreach"]!["figure"]!.GetValue<double>() > 0.5);
        Assert.Equal(0, stateA["configuredPercent"]!.GetValue<double>());
        Assert.True(stateA["shared"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Without_the_admin_api_the_override_in_redis_alone_stops_the_other_replica()
    {
        var redis = await RedisServer.SharedAddressAsync();
        await using var stable = await SimulatorHost.StartAsync(o => o.Name = "stable");
        await using var candidate = await SimulatorHost.StartAsync(o => o.Name = "cand");
        var config = Config(stable, candidate, percent: 100);
        config["Quotas"] = new JsonObject { ["Redis"] = redis, ["KeyPrefix"] = RedisServer.NewPrefix() };
        var logsA = new LogCapture();
        var logsB = new LogCapture();
        await using var replicaA = await GatewayHost.StartAsync(config, b => b.Logging.AddProvider(logsA));
        await using var replicaB = await GatewayHost.StartAsync(config, b => b.Logging.AddProvider(logsB));
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(replicaB));
        Assert.Single(candidate.State.Received);

        // A sends to the failing candidate (100%) until its guard trips: four failures, judged at the fourth.
        candidate.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 500, Count = 100_000 });
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(replicaA));
        }

        Assert.Contains("over 4", (await LoggedAsync(logsA, 2900)).Message, StringComparison.Ordinal);
        var received = candidate.State.Received.Count;

        // B, with no admin API and no failure of its own, learns it from Redis (polled every 500 ms) and stops too.
        Assert.Contains("maxErrorRate", (await LoggedAsync(logsB, 2901)).Message, StringComparison.Ordinal);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(replicaB));
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(replicaA));
        }

        Assert.Equal(received, candidate.State.Received.Count);
    }

    [Fact]
    public async Task A_slow_candidate_breaches_the_latency_guard_and_is_rolled_back_on_a_replica_without_redis()
    {
        await using var stable = await SimulatorHost.StartAsync(o => o.Name = "stable");
        await using var candidate = await SimulatorHost.StartAsync(o => o.Name = "cand");
        var guards = new JsonObject { ["MaxP95LatencyMs"] = 250, ["Window"] = "00:01:00", ["MinRequests"] = 3 };
        var logs = new LogCapture();
        await using var gateway = await GatewayHost.StartAsync(Config(stable, candidate, percent: 100, guards: guards), b => b.Logging.AddProvider(logs));

        candidate.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Latency, LatencyMs = 400, Count = 100 });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(gateway));
        }

        // Three slow answers (all served) fill the window; the third breaches the guard and the rest go to the stable deployment.
        var logged = await LoggedAsync(logs, 2900);
        Assert.Contains("maxP95LatencyMs", logged.Message, StringComparison.Ordinal);
        Assert.Contains("limit of 250", logged.Message, StringComparison.Ordinal);
        Assert.Contains("over 3", logged.Message, StringComparison.Ordinal);
        var received = candidate.State.Received.Count;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(gateway));
        }

        Assert.Equal(received, candidate.State.Received.Count);
        Assert.Single(logs.Entries, e => e.EventId == 2900);
    }

    [Fact]
    public async Task A_candidate_that_disagrees_in_the_running_experiment_breaches_the_agreement_floor()
    {
        // The candidate always picks the wrong tool; the experiment's pairs say so, and the canary's floor acts on them.
        await using var sim = await SimulatorHost.StartAsync(o => o.Profiles["cand-model"] = new AnswerProfile { WrongToolShare = 1, Seed = 5 });
        var config = Experiments.ExperimentTestConfig.Gateway(sim)
            .WithDeployment("cand", "local", [Experiments.ExperimentTestConfig.Model], upstreamModel: "cand-model")
            .WithExperiment("agree", ["cand"]);
        config["Routes"] = new JsonObject
        {
            ["main"] = new JsonObject
            {
                ["Match"] = new JsonObject { ["Models"] = new JsonArray(Experiments.ExperimentTestConfig.Model) },
                ["Deployments"] = new JsonArray("live"),
                ["Canary"] = new JsonObject
                {
                    ["Deployment"] = "cand",
                    ["Percent"] = 5,
                    ["Guards"] = new JsonObject { ["MinAgreement"] = 0.5, ["MinRequests"] = 5, ["Window"] = "00:05:00" },
                },
            },
        };
        var logs = new LogCapture();
        var store = Path.Combine(Directory.CreateTempSubdirectory("mg-canary-").FullName, "admin.store");
        await using var gateway = await GatewayHost.StartAsync(config, b => b.Logging.AddProvider(logs), AdminFixture.AdminArgs(store));
        using var admin = AdminFixture.AdminClient(gateway);
        using var http = gateway.HttpClient();

        await Experiments.ExperimentTestConfig.SendAsync(http, 20, i => Experiments.ExperimentTestConfig.Chat($"What is the weather, case {i}?", tools: true), parallel: 4);
        var deadline = Stopwatch.StartNew();
        JsonObject state;
        while ((state = await AdminFixture.GetAsync(admin, "/admin/v1/routes/main/canary"))["percentInForce"]!.GetValue<double>() != 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "The agreement floor never tripped: " + state.ToJsonString());
            await Task.Delay(100);
        }

        output.WriteLine(state.ToJsonString());
        Assert.Equal("minAgreement", state["lastBreach"]!["guard"]!.GetValue<string>());
        Assert.True(state["lastBreach"]!["figure"]!.GetValue<double>() < 0.5);
        Assert.Contains("minAgreement", (await LoggedAsync(logs, 2900)).Message, StringComparison.Ordinal);

        // Pairs keep coming (the experiment runs on), but a share of 0 has nothing to roll back: no second breach.
        // The breach's override gives way to the rollback's stored 0% once that store write has landed (asynchronous).
        await Experiments.ExperimentTestConfig.ReportAsync(admin, "agree", 20);
        var settled = Stopwatch.StartNew();
        while ((state = await AdminFixture.GetAsync(admin, "/admin/v1/routes/main/canary"))["overriddenBy"] is not null)
        {
            Assert.True(settled.Elapsed < TimeSpan.FromSeconds(30), "The rollback was never stored: " + state.ToJsonString());
            await Task.Delay(100);
        }

        Assert.Equal(0, state["percentInForce"]!.GetValue<double>());
        Assert.Single(logs.Entries, e => e.EventId == 2900);
    }

    [Fact]
    public async Task Rollback_and_promotion_are_audited_admin_calls_and_errors_are_problem_details()
    {
        await using var stable = await SimulatorHost.StartAsync(o => o.Name = "stable");
        await using var candidate = await SimulatorHost.StartAsync(o => o.Name = "cand");
        var store = Path.Combine(Directory.CreateTempSubdirectory("mg-canary-").FullName, "admin.store");
        await using var gateway = await AdminFixture.StartGatewayAsync(Config(stable, candidate, percent: 100), store);
        using var admin = AdminFixture.AdminClient(gateway);

        Assert.Equal(HttpStatusCode.OK, await ChatAsync(gateway));
        Assert.Single(candidate.State.Received);
        var state = await AdminFixture.GetAsync(admin, "/admin/v1/routes/main/canary");
        Assert.Equal(100, state["percentInForce"]!.GetValue<double>());
        Assert.Equal(1, state["window"]!["requests"]!.GetValue<int>());
        Assert.Equal(0, state["window"]!["errors"]!.GetValue<int>());

        await AdminFixture.SendAsync(admin, HttpMethod.Post, "/admin/v1/routes/main/canary/rollback", null, HttpStatusCode.OK);
        state = await AdminFixture.GetAsync(admin, "/admin/v1/routes/main/canary");
        Assert.Equal(0, state["percentInForce"]!.GetValue<double>());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(gateway));
        }

        Assert.Single(candidate.State.Received);

        // Promotion: the candidate becomes the rule's first deployment, tried in order; the canary section goes.
        var promoted = await AdminFixture.SendAsync(admin, HttpMethod.Post, "/admin/v1/routes/main/canary/promote", null, HttpStatusCode.OK);
        Assert.Equal(["cand", "stable"], ((JsonArray)Field(promoted, "deployments")!).Select(d => d!.GetValue<string>()));
        Assert.Equal("ordered", Field(promoted, "strategy")!.GetValue<string>());
        Assert.Null(Field(promoted, "canary"));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(gateway));
        }

        Assert.Equal(6, candidate.State.Received.Count);
        var audit = (JsonArray)(await AdminFixture.GetAsync(admin, "/admin/v1/audit"))["data"]!;
        Assert.Contains(audit, e => e!["action"]!.GetValue<string>() == "rollback routes/main/canary" && e["actor"]!.GetValue<string>() == "ops");
        Assert.Contains(audit, e => e!["action"]!.GetValue<string>() == "promote routes/main/canary");

        // No canary any more, no such route: RFC 9457 problems.
        var gone = await AdminFixture.GetAsync(admin, "/admin/v1/routes/main/canary", HttpStatusCode.NotFound);
        Assert.Equal(404, gone["status"]!.GetValue<int>());
        Assert.Contains("routes/main/canary", gone["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await AdminFixture.SendAsync(admin, HttpMethod.Post, "/admin/v1/routes/none/canary/rollback", null, HttpStatusCode.NotFound);
        using (var response = await admin.PostAsync("/admin/v1/routes/none/canary/promote", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }

        // Validation: the candidate must exist and serve the rule's models, the share is 0 to 100.
        var invalid = await AdminFixture.SendAsync(admin, HttpMethod.Post, "/admin/v1/routes", new JsonObject
        {
            ["id"] = "bad",
            ["match"] = new JsonObject { ["models"] = new JsonArray(Model) },
            ["deployments"] = new JsonArray("stable"),
            ["canary"] = new JsonObject { ["deployment"] = "nowhere", ["percent"] = 150, ["guards"] = new JsonObject { ["maxErrorRate"] = 2 } },
        }, HttpStatusCode.UnprocessableEntity);
        var errors = AdminFixture.AllErrors(invalid);
        Assert.Contains("Routes:bad:Canary:Deployment", errors, StringComparison.Ordinal);
        Assert.Contains("is not a configured deployment", errors, StringComparison.Ordinal);
        Assert.Contains("Percent must be between 0 and 100", errors, StringComparison.Ordinal);
        Assert.Contains("MaxErrorRate must be between 0 and 1", errors, StringComparison.Ordinal);
        var typo = await AdminFixture.SendAsync(admin, HttpMethod.Post, "/admin/v1/routes", new JsonObject
        {
            ["id"] = "typo",
            ["match"] = new JsonObject { ["models"] = new JsonArray(Model) },
            ["canary"] = new JsonObject { ["deployment"] = "cand", ["percentage"] = 5 },
        }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("percentage", AdminFixture.AllErrors(typo), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_card_number_never_reaches_a_public_canary()
    {
        await using var stable = await SimulatorHost.StartAsync(o => o.Name = "stable");
        await using var candidate = await SimulatorHost.StartAsync(o => o.Name = "cand");
        await using var gateway = await GatewayHost.StartAsync(Config(stable, candidate, percent: 100, candidateTrust: "public"));

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(gateway, "my card is 4111 1111 1111 1111, please check it"));
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(gateway, "what is the capital of France?"));
        }

        // Every ordinary request went to the public candidate (100%); no card number did.
        Assert.Equal(10, candidate.State.Received.Count);
        Assert.DoesNotContain(candidate.State.Received, r => r.Body.Contains("4111", StringComparison.Ordinal));
        Assert.Equal(10, stable.State.Received.Count(r => r.Body.Contains("4111", StringComparison.Ordinal)));
    }
}
