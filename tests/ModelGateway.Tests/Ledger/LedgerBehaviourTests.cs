using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelGateway.Accounting;
using ModelGateway.Simulator;
using ModelGateway.Tests.Admin;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Quotas;
using ModelGateway.Requests;

namespace ModelGateway.Tests.Ledger;

/// <summary>
/// The ledger's behaviour, run against each database (<see cref="SqliteLedgerTests"/>, <see cref="PostgresLedgerTests"/>):
/// one request-log row per request whatever its outcome, idempotent writes, the spend report from the rollups,
/// and paging through the log. A real gateway on Kestrel in front of the simulator, with the admin API on.
/// </summary>
public abstract class LedgerBehaviourTests : IAsyncLifetime
{
    private const string CappedKey = "mg-capped-key";

    protected SimulatorHost Simulator { get; private set; } = null!;

    protected GatewayHost Gateway { get; private set; } = null!;

    protected HttpClient Admin { get; private set; } = null!;

    /// <summary>Command-line arguments that put the gateway's ledger in this backend.</summary>
    protected abstract Task<string[]> LedgerArgsAsync();

    public async Task InitializeAsync()
    {
        Simulator = await SimulatorHost.StartAsync(o => o.Name = "sim");
        Gateway = await StartGatewayAsync(await LedgerArgsAsync());
        Admin = AdminFixture.AdminClient(Gateway);
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Gateway.DisposeAsync();
        await Simulator.DisposeAsync();
        Cleanup();
    }

    /// <summary>Removes what the backend left on disk, after the gateway has stopped.</summary>
    protected virtual void Cleanup()
    {
    }

    protected Task<GatewayHost> StartGatewayAsync(string[] ledgerArgs)
    {
        // Two deployments of qwen3 on the simulator: qwen-a is tried first, qwen-b is the fallback.
        var config = TestConfig.Gateway()
            .WithProvider("sim", Simulator.BaseUrl + "/v1", responseTimeout: "00:00:05")
            .WithDeployment("qwen-a", "sim", ["qwen3"], input: 1m, output: 2m, priority: -1)
            .WithDeployment("qwen-b", "sim", ["qwen3"], input: 1m, output: 2m)
            // A public provider: a card number may not go there, so the sensitivity policy refuses it (rejected_policy).
            .WithProvider("sim-public", Simulator.BaseUrl + "/v1", trust: "public")
            .WithDeployment("hosted", "sim-public", ["hosted-model"], input: 1m, output: 2m)
            .WithKey("capped", CappedKey, new JsonObject { ["Limits"] = new JsonObject { ["RequestsPerMinute"] = 1 } });
        return GatewayHost.StartAsync(config, [.. AdminFixture.AdminArgs(storePath: null), .. ledgerArgs]);
    }

    [Fact]
    public async Task Every_request_gets_exactly_one_row_whatever_its_outcome()
    {
        var expected = new Dictionary<string, (string Outcome, int Status)>();
        async Task SendAsync(string outcome, HttpStatusCode status, string body, string key = TestConfig.ClientKey)
        {
            using var client = Gateway.HttpClient(key);
            using var response = await client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(status, response.StatusCode);
            expected.Add(response.Headers.GetValues("x-request-id").Single(), (outcome, (int)status));
        }

        const string Chat = """{"model":"qwen3","messages":[{"role":"user","content":"hello"}]}""";
        await SendAsync("served", HttpStatusCode.OK, Chat);
        Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 503 });
        await SendAsync("fell_back", HttpStatusCode.OK, Chat);
        Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 503, Count = 2 });
        await SendAsync("upstream_error", HttpStatusCode.BadGateway, Chat);
        await SendAsync("served", HttpStatusCode.OK, Chat, CappedKey);
        await SendAsync("rejected_quota", HttpStatusCode.TooManyRequests, Chat, CappedKey);
        await SendAsync("client_error", HttpStatusCode.Unauthorized, Chat, "mg-not-a-key");
        await SendAsync("client_error", HttpStatusCode.BadRequest, "{not json");
        await SendAsync("client_error", HttpStatusCode.NotFound, """{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}""");
        await SendAsync("rejected_policy", HttpStatusCode.Forbidden,
            """{"model":"hosted-model","messages":[{"role":"user","content":"charge 4111 1111 1111 1111"}]}""");

        // A client that gives up while the upstream is still thinking: no response, so no id; found by its outcome.
        Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Latency, LatencyMs = 3000 });
        using (var impatient = Gateway.HttpClient())
        {
            impatient.Timeout = TimeSpan.FromMilliseconds(500);
            await Assert.ThrowsAnyAsync<TaskCanceledException>(() =>
                impatient.PostAsync("/v1/chat/completions", new StringContent(Chat, Encoding.UTF8, "application/json")));
        }

        var rows = await WaitForRowsAsync(expected.Count + 1);
        Assert.Equal(expected.Count + 1, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => r["requestId"]!.GetValue<string>()).Distinct().Count());
        foreach (var (id, (outcome, status)) in expected)
        {
            var row = Assert.Single(rows, r => r["requestId"]!.GetValue<string>() == id);
            Assert.Equal(outcome, row["outcome"]!.GetValue<string>());
            Assert.Equal(status, row["status"]!.GetValue<int>());
        }

        var cancelled = Assert.Single(rows, r => !expected.ContainsKey(r["requestId"]!.GetValue<string>()));
        Assert.Equal("client_cancelled", cancelled["outcome"]!.GetValue<string>());
        Assert.Equal("test-key", cancelled["key"]!.GetValue<string>());

        var served = rows.First(r => r["outcome"]!.GetValue<string>() == "served" && r["key"]!.GetValue<string>() == "test-key");
        Assert.Equal("qwen-a", served["deployment"]!.GetValue<string>());
        Assert.Equal("sim", served["provider"]!.GetValue<string>());
        Assert.Equal("chat", served["operation"]!.GetValue<string>());
        Assert.Equal("openai", served["protocol"]!.GetValue<string>());
        Assert.Equal(1, served["attempts"]!.GetValue<int>());
        Assert.True(served["promptTokens"]!.GetValue<int>() > 0);
        Assert.Equal(8, served["completionTokens"]!.GetValue<int>());
        var prompt = served["promptTokens"]!.GetValue<int>();
        Assert.Equal((prompt * 1m + 8 * 2m) / 1_000_000m, served["costUsd"]!.GetValue<decimal>());
        Assert.True(served["latencyMs"]!.GetValue<double>() > 0);
        Assert.True(served["timeToFirstByteMs"]!.GetValue<double>() > 0);

        var fellBack = Assert.Single(rows, r => r["outcome"]!.GetValue<string>() == "fell_back");
        Assert.Equal(2, fellBack["attempts"]!.GetValue<int>());
        Assert.Equal("qwen-b", fellBack["deployment"]!.GetValue<string>());
        var failed = Assert.Single(rows, r => r["outcome"]!.GetValue<string>() == "upstream_error");
        Assert.False(failed["served"]!.GetValue<bool>());
        Assert.Equal(0m, failed["costUsd"]!.GetValue<decimal>());
        Assert.NotNull(failed["failure"]);

        // Refused by the sensitivity policy before any attempt: no deployment, nothing billed, the reason recorded.
        var refused = Assert.Single(rows, r => r["outcome"]!.GetValue<string>() == "rejected_policy");
        Assert.Equal(0, refused["attempts"]!.GetValue<int>());
        Assert.False(refused["served"]!.GetValue<bool>());
        Assert.Equal(0m, refused["costUsd"]!.GetValue<decimal>());
        Assert.Equal("hosted-model", refused["model"]!.GetValue<string>());
        Assert.Equal("confidential", refused["sensitivity"]!.GetValue<string>());
        Assert.Contains("payment_card", refused["detectors"]!.AsArray().Select(d => d!.GetValue<string>()));
    }

    [Fact]
    public async Task The_teams_budgets_in_force_are_copied_to_the_database_and_follow_admin_changes()
    {
        var store = Gateway.App.Services.GetRequiredService<ILedgerStore>();
        await AdminFixture.SendAsync(Admin, HttpMethod.Post, "/admin/v1/teams", new JsonObject
        {
            ["id"] = "research",
            ["limits"] = new JsonObject { ["usdPerDay"] = 2.5m, ["usdPerMonth"] = 40 },
        }, HttpStatusCode.Created);
        await AdminFixture.SendAsync(Admin, HttpMethod.Post, "/admin/v1/teams", new JsonObject
        {
            ["id"] = "no-budget",
            ["limits"] = new JsonObject { ["requestsPerMinute"] = 10 },
        }, HttpStatusCode.Created);
        await WaitForBudgetsAsync(store, "research:2500000000:40000000000");

        await AdminFixture.SendAsync(Admin, HttpMethod.Patch, "/admin/v1/teams/research",
            new JsonObject { ["limits"] = new JsonObject { ["usdPerDay"] = null, ["usdPerMonth"] = 75 } }, HttpStatusCode.OK);
        await WaitForBudgetsAsync(store, "research::75000000000");

        await AdminFixture.SendAsync(Admin, HttpMethod.Delete, "/admin/v1/teams/research", null, HttpStatusCode.NoContent);
        await WaitForBudgetsAsync(store);
    }

    private static async Task WaitForBudgetsAsync(ILedgerStore store, params string[] expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string[] actual;
        do
        {
            actual = [.. (await store.TeamBudgetsAsync(default)).Select(b => $"{b.TeamId}:{b.NanoUsdPerDay}:{b.NanoUsdPerMonth}")];
            if (actual.SequenceEqual(expected))
            {
                return;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task A_retried_batch_is_stored_and_counted_once()
    {
        var store = Gateway.App.Services.GetRequiredService<ILedgerStore>();
        var now = DateTimeOffset.UtcNow;
        RequestLogEntry[] batch = [Row("req_retry_1", now, "k1", 0.5m), Row("req_retry_2", now, "k1", 0.25m), Row("req_retry_3", now, "k2", 1m)];

        Assert.Equal(3, await store.WriteAsync(batch, default));
        // The same batch again, as after a commit whose acknowledgement was lost, plus one new row.
        Assert.Equal(1, await store.WriteAsync([.. batch, Row("req_retry_4", now, "k2", 2m)], default));

        var report = await AdminFixture.GetAsync(Admin, "/admin/v1/spend?groupBy=key&key=k1");
        var k1 = Assert.Single(report["data"]!.AsArray());
        Assert.Equal(2, k1!["requests"]!.GetValue<long>());
        Assert.Equal(0.75m, k1["costUsd"]!.GetValue<decimal>());
        var all = await AdminFixture.GetAsync(Admin, "/admin/v1/spend?groupBy=key,team,deployment");
        Assert.Equal(4, all["total"]!["requests"]!.GetValue<long>());
        Assert.Equal(3.75m, all["total"]!["costUsd"]!.GetValue<decimal>());
        Assert.Equal("team-x", all["data"]![0]!["team"]!.GetValue<string>());
        Assert.Equal(4, (await PageAllAsync("/admin/v1/requests?team=team-x", 10)).Count);
    }

    [Fact]
    public async Task The_spend_report_sums_the_served_requests_of_the_log()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await AdminFixture.ChatAsync(Gateway, "qwen3"));
        }

        Assert.Equal(HttpStatusCode.NotFound, await AdminFixture.ChatAsync(Gateway, "no-such-model"));
        var rows = await WaitForRowsAsync(6);
        var served = rows.Where(r => r["served"]!.GetValue<bool>()).ToList();
        Assert.Equal(5, served.Count);

        var report = await AdminFixture.GetAsync(Admin, "/admin/v1/spend?groupBy=key,model,provider,deployment,day");
        var group = Assert.Single(report["data"]!.AsArray())!;
        Assert.Equal("test-key", group["key"]!.GetValue<string>());
        Assert.Equal("qwen3", group["model"]!.GetValue<string>());
        Assert.Equal("qwen-a", group["deployment"]!.GetValue<string>());
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), group["day"]!.GetValue<string>());
        Assert.Equal(5, group["requests"]!.GetValue<long>());
        Assert.Equal(served.Sum(r => r["costUsd"]!.GetValue<decimal>()), group["costUsd"]!.GetValue<decimal>());
        Assert.Equal(served.Sum(r => r["completionTokens"]!.GetValue<long>()), group["completionTokens"]!.GetValue<long>());
        Assert.Equal(served.Sum(r => r["promptTokens"]!.GetValue<long>()), group["promptTokens"]!.GetValue<long>());
    }

    [Fact]
    public async Task Paging_walks_the_log_newest_first_without_gaps_or_repeats_and_filters_apply()
    {
        var store = Gateway.App.Services.GetRequiredService<ILedgerStore>();
        var start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

        // 25 rows; pairs share a millisecond, so the cursor must break ties by request id.
        var rows = Enumerable.Range(0, 25).Select(i => Row($"req_page_{i:D2}", start.AddSeconds(i / 2), i % 2 == 0 ? "k-even" : "k-odd", 0.01m) with
        {
            Outcome = i % 5 == 0 ? "upstream_error" : "served",
            Status = i % 5 == 0 ? 502 : 200,
            Served = i % 5 != 0,
        }).ToArray();
        await store.WriteAsync(rows, default);

        const string Range = "from=2026-03-01&to=2026-03-02";
        var paged = await PageAllAsync($"/admin/v1/requests?{Range}", 7);
        var expected = rows.OrderByDescending(r => r.Timestamp).ThenByDescending(r => r.RequestId, StringComparer.Ordinal).Select(r => r.RequestId);
        Assert.Equal(expected, paged.Select(r => r["requestId"]!.GetValue<string>()));

        Assert.Equal(13, (await PageAllAsync($"/admin/v1/requests?{Range}&key=k-even", 4)).Count);
        Assert.Equal(5, (await PageAllAsync($"/admin/v1/requests?{Range}&outcome=upstream_error", 2)).Count);
        Assert.Equal(5, (await PageAllAsync($"/admin/v1/requests?{Range}&status=502", 100)).Count);
        Assert.Equal(3, (await PageAllAsync($"/admin/v1/requests?{Range}&status=502&key=k-even", 100)).Count);
        Assert.Equal(4, (await PageAllAsync("/admin/v1/requests?from=2026-03-01T12:00:00Z&to=2026-03-01T12:00:02Z", 100)).Count);
        Assert.Empty(await PageAllAsync("/admin/v1/requests?from=2026-02-01&to=2026-03-01", 100));

        var bad = await AdminFixture.GetAsync(Admin,
            "/admin/v1/requests?from=yesterday&limit=0&status=abc&outcome=bogus&cursor=!!", HttpStatusCode.BadRequest);
        Assert.Equal(["cursor", "from", "limit", "outcome", "status"], AdminFixture.ErrorFields(bad).Order(StringComparer.Ordinal));
        Assert.Equal(400, bad["status"]!.GetValue<int>());
        var reversed = await AdminFixture.GetAsync(Admin, "/admin/v1/requests?from=2026-03-02&to=2026-03-01", HttpStatusCode.BadRequest);
        Assert.Contains("from must be before to", AdminFixture.AllErrors(reversed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_deletes_old_rows_and_rollups_only()
    {
        var store = Gateway.App.Services.GetRequiredService<ILedgerStore>();
        var old = new DateTimeOffset(2025, 1, 10, 8, 0, 0, TimeSpan.Zero);
        var recent = new DateTimeOffset(2025, 3, 10, 8, 0, 0, TimeSpan.Zero);
        await store.WriteAsync([Row("req_old", old, "k1", 1m), Row("req_recent", recent, "k1", 2m)], default);

        await store.PruneAsync(new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero), default);

        var log = await PageAllAsync("/admin/v1/requests?from=2025-01-01&to=2025-04-01", 100);
        Assert.Equal("req_recent", Assert.Single(log)["requestId"]!.GetValue<string>());
        var spend = await AdminFixture.GetAsync(Admin, "/admin/v1/spend?from=2025-01-01&to=2025-03-31&groupBy=day");
        Assert.Equal("2025-03-10", Assert.Single(spend["data"]!.AsArray())!["day"]!.GetValue<string>());
    }

    protected static RequestLogEntry Row(string id, DateTimeOffset timestamp, string key, decimal cost) => new()
    {
        RequestId = id,
        Timestamp = timestamp,
        KeyId = key,
        TeamId = "team-x",
        Protocol = "openai",
        Operation = "chat",
        Model = "qwen3",
        ProviderId = "sim",
        DeploymentId = "qwen-a",
        Served = true,
        Attempts = 1,
        Status = 200,
        Outcome = "served",
        Usage = new TokenUsage(10, 0, 8, 0),
        UsageReported = true,
        CostUsd = cost,
        LatencyMs = 12.5,
    };

    /// <summary>Every page of a request-log query, following nextCursor.</summary>
    protected async Task<List<JsonNode>> PageAllAsync(string path, int limit)
    {
        var rows = new List<JsonNode>();
        string? cursor = null;
        for (var pages = 0; pages < 1000; pages++)
        {
            var page = await AdminFixture.GetAsync(Admin, $"{path}{(path.Contains('?', StringComparison.Ordinal) ? "&" : "?")}limit={limit}" +
                (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            var data = page["data"]!.AsArray();
            Assert.True(data.Count <= limit);
            rows.AddRange(data.Select(r => r!));
            if (!page["hasMore"]!.GetValue<bool>())
            {
                return rows;
            }

            cursor = page["nextCursor"]!.GetValue<string>();
        }

        throw new InvalidOperationException("Paging did not end.");
    }

    /// <summary>The request log of today, once it has at least <paramref name="count"/> rows (rows are written in the background).</summary>
    protected async Task<List<JsonNode>> WaitForRowsAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await Gateway.Service<IUsageLedger>().FlushAsync(TimeSpan.FromSeconds(10));
            var rows = await PageAllAsync("/admin/v1/requests", 1000);
            if (rows.Count >= count || DateTime.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(50);
        }
    }
}
