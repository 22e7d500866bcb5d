using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ModelGateway.Configuration;
using ModelGateway.Quotas;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Quotas;

/// <summary>
/// Quotas on a real Redis Cluster of three primaries started for these tests (see <see cref="RedisCluster"/>), with
/// the default key prefix. Each quota group (a team, a key without a team) has its own hash tag: the three groups used
/// here land on the three primaries, every script stays on one slot, and limits and budgets hold exactly across two
/// gateways. Fail-closed mode, so a CROSSSLOT or any other Redis error would show as a 503.
/// </summary>
public sealed class RedisClusterQuotaTests : IAsyncLifetime
{
    private const string FinanceKey = "mg-test-finance-key";
    private const string SoloKey = "mg-test-solo-key";
    private const long NanoPerToken = 1_000_000; // $1000 per million tokens

    private SimulatorHost _simulator = null!;
    private RedisCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync();
        _cluster = await RedisCluster.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task Two_gateways_on_a_three_primary_cluster_hold_limits_and_a_budget_exactly_with_each_group_on_its_own_primary()
    {
        var config = QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(_cluster.Endpoints, prefix: null, failureMode: "fail-closed", redisTimeout: "00:00:02")
            // Three scopes in one script: the key, its team and the team's model.
            .WithTeam("research", new JsonObject { ["RequestsPerMinute"] = 30 }, new JsonObject { [QuotaTestConfig.Model] = new JsonObject { ["TokensPerMinute"] = 1_000_000 } })
            .WithTestKey(team: "research", limits: new JsonObject { ["RequestsPerMinute"] = 1000 })
            .WithTeam("finance", new JsonObject { ["UsdPerDay"] = 0.2m })
            .WithKey("fin", FinanceKey, new JsonObject { ["Team"] = "finance" })
            .WithKey("k-solo", SoloKey, new JsonObject { ["Limits"] = new JsonObject { ["RequestsPerMinute"] = 12 } });
        var logs = new LogCapture();
        await using var first = await GatewayHost.StartAsync(config, b => b.Logging.AddProvider(logs));
        await using var second = await GatewayHost.StartAsync(config, b => b.Logging.AddProvider(logs));
        GatewayHost[] gateways = [first, second];

        var research = await SendManyAsync(gateways, TestConfig.ClientKey, 50);
        var solo = await SendManyAsync(gateways, SoloKey, 20);
        Assert.Equal(30, research.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(20, research.Count(r => r.Status == HttpStatusCode.TooManyRequests));
        Assert.Equal(12, solo.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(8, solo.Count(r => r.Status == HttpStatusCode.TooManyRequests));

        // The budget: spend it one request at a time, alternating replicas, until it says no for good.
        var spentTokens = 0L;
        var served = 0;
        var lastCode = "";
        for (var i = 0; i < 100 && lastCode != "insufficient_quota"; i++)
        {
            var result = await SendAsync(gateways[i % 2], FinanceKey);
            Assert.True(result.Status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{result.Status} {result.Body}");
            if (result.Status == HttpStatusCode.OK)
            {
                served++;
                spentTokens += JsonDocument.Parse(result.Body).RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt64();
            }
            else
            {
                lastCode = JsonDocument.Parse(result.Body).RootElement.GetProperty("error").GetProperty("code").GetString()!;
            }
        }

        Assert.Equal("insufficient_quota", lastCode);
        Assert.True(served >= 5, $"only {served} requests fitted a $0.20 budget");
        var usage = await WaitForSettledAsync(first, "team:finance", spentTokens * NanoPerToken);
        Assert.Equal(spentTokens * NanoPerToken, usage.SpentDayNano);
        Assert.Equal(0, usage.HeldDayNano);
        Assert.True(usage.SpentDayNano <= 200_000_000, $"spent {usage.SpentDayNano} nano-USD of a 200,000,000 budget");

        // No Redis error on any request (fail-closed would have answered 503) and none logged.
        Assert.DoesNotContain(research.Concat(solo), r => r.Status == HttpStatusCode.ServiceUnavailable);
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 1400);

        // Each group's keys live on one primary, and the three groups on three different primaries.
        var groupsByNode = new List<HashSet<string>>();
        for (var node = 0; node < 3; node++)
        {
            var keys = (await _cluster.CliAsync(node, "KEYS", "*")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.All(keys, k => Assert.StartsWith("{mg:", k, StringComparison.Ordinal));
            groupsByNode.Add([.. keys.Select(k => k[1..k.IndexOf('}', StringComparison.Ordinal)])]);
        }

        Assert.Equal(["mg:key:k-solo", "mg:team:finance", "mg:team:research"], groupsByNode.SelectMany(g => g).Order());
        Assert.All(groupsByNode, g => Assert.Single(g));
    }

    [Fact]
    public async Task The_cluster_refuses_one_script_over_two_groups_which_is_why_each_group_has_one_tag()
    {
        // The control for the test above: the same kind of script over keys of two groups fails on this cluster.
        var reply = await _cluster.CliAsync(0, "EVAL", "return redis.call('GET', KEYS[1])", "2", "{mg:team:research}:w:team:research", "{mg:team:finance}:w:team:finance");
        Assert.Contains("CROSSSLOT", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_replicas_holds_are_released_by_the_sweeper_of_a_live_one_without_further_requests()
    {
        // Reservations made by a gateway that then disappeared: three holds in the team's group, never settled.
        var config = QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(_cluster.Endpoints, prefix: null, failureMode: "fail-closed", redisTimeout: "00:00:02")
            .WithTeam("finance", new JsonObject { ["UsdPerDay"] = 10m, ["ConcurrentRequests"] = 5 });
        config["Quotas"]!["ReservationTimeout"] = "00:00:02";
        var logs = new LogCapture();
        await using var live = await GatewayHost.StartAsync(config, b => b.Logging.AddProvider(logs),
            "--Serilog:MinimumLevel:Override:ModelGateway.Quotas.QuotaHoldSweeper=Information");
        var store = (RedisQuotaStore)live.Service<QuotaStores>().Primary;
        var now = DateTimeOffset.UtcNow;
        var day = now.ToString("yyyyMMdd", null);
        var month = now.ToString("yyyyMM", null);
        for (var i = 0; i < 3; i++)
        {
            var ask = new QuotaAsk
            {
                ReservationId = "dead-" + i,
                NowMs = now.ToUnixTimeMilliseconds(),
                Group = "team:finance",
                Scopes = [new QuotaScope("team:finance", new QuotaLimits(null, null, 5, 10_000_000_000, null))],
                Tokens = 10,
                NanoUsd = 1_000_000,
                WindowMs = 60_000,
                HoldMs = 2000,
                Day = day,
                Month = month,
            };
            Assert.True((await store.ReserveAsync(ask, default)).Admitted);
        }

        Assert.Equal(new ScopeUsage(0, 3_000_000, 0, 3_000_000, 3), await store.ReadAsync("team:finance", "team:finance", day, month, default));

        // No request comes for the team; the sweeper (every second here) releases the holds once they expire.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ScopeUsage usage;
        while ((usage = await store.ReadAsync("team:finance", "team:finance", day, month, default)).InFlight > 0 && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        Assert.Equal(new ScopeUsage(0, 0, 0, 0, 0), usage);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"released after {clock.Elapsed}, before the holds expired");
        // The sweeper logs once its sweep is done, a moment after Redis has released the holds.
        for (var i = 0; i < 40 && !logs.Entries.Any(e => e.EventId == 2200); i++)
        {
            await Task.Delay(50);
        }

        Assert.Contains(logs.Entries, e => e.EventId == 2200 && e.Message.Contains("Released 3 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_admin_store_shares_the_cluster_connection_and_a_change_through_one_replica_reaches_the_other()
    {
        // Admin:Redis unset: the store uses the quota connection; its default prefix {mg-config}: keeps it on one slot.
        var config = QuotaTestConfig.Gateway(_simulator).WithQuotas(_cluster.Endpoints, prefix: null, failureMode: "fail-closed", redisTimeout: "00:00:02");
        string[] args = [.. Admin.AdminFixture.AdminArgs(null), "--Admin:Store=redis"];
        await using var first = await GatewayHost.StartAsync(config, args);
        await using var second = await GatewayHost.StartAsync(config, args);

        using var admin = Admin.AdminFixture.AdminClient(first);
        await Admin.AdminFixture.SendAsync(admin, HttpMethod.Post, "/admin/v1/aliases", new JsonObject { ["id"] = "fast", ["target"] = QuotaTestConfig.Model }, HttpStatusCode.Created);

        using var client = second.HttpClient();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!(await client.GetStringAsync("/v1/models")).Contains("\"fast\"", StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the second replica did not see the alias");
            await Task.Delay(50);
        }

        // The audit reads several revisions in one multi-key command: one slot, no CROSSSLOT.
        using var secondAdmin = Admin.AdminFixture.AdminClient(second);
        var audit = await Admin.AdminFixture.GetAsync(secondAdmin, "/admin/v1/audit");
        Assert.True(audit.ToJsonString().Length > 0);
        Assert.Contains("{mg-config}:version", (await _cluster.CliAsync(0, "KEYS", "*")) + (await _cluster.CliAsync(1, "KEYS", "*")) + (await _cluster.CliAsync(2, "KEYS", "*")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_prefix_with_braces_is_a_configuration_error_naming_its_path()
    {
        foreach (var prefix in new[] { "{mg}:", "mg}:", "m{g:" })
        {
            var options = new GatewayOptions { Quotas = { KeyPrefix = prefix } };
            var errors = new List<string>();
            GatewayConfigBuilder.TryBuild(options, _ => null, errors);
            Assert.Contains(errors, e => e.StartsWith($"Quotas:KeyPrefix '{prefix}' must not contain", StringComparison.Ordinal));
        }

        var accepted = new List<string>();
        GatewayConfigBuilder.TryBuild(new GatewayOptions { Quotas = { KeyPrefix = "mg:" } }, _ => null, accepted);
        Assert.DoesNotContain(accepted, e => e.Contains("KeyPrefix", StringComparison.Ordinal));
    }

    private static async Task<List<(HttpStatusCode Status, string Body)>> SendManyAsync(GatewayHost[] gateways, string key, int count)
    {
        var results = new List<(HttpStatusCode, string)>();
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var result = await SendAsync(gateways[i % gateways.Length], key);
                lock (results)
                {
                    results.Add(result);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return results;
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(GatewayHost gateway, string key)
    {
        using var client = gateway.HttpClient(key);
        using var response = await client.PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody());
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Settlement runs after the response: waits (bounded) until the store shows <paramref name="nano"/> spent.</summary>
    private static async Task<ScopeUsage> WaitForSettledAsync(GatewayHost gateway, string team, long nano)
    {
        var store = gateway.Service<QuotaStores>().Primary;
        var today = DateTime.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var usage = await store.ReadAsync(team, team, today.ToString("yyyyMMdd", null), today.ToString("yyyyMM", null), default);
            if ((usage.SpentDayNano == nano && usage.HeldDayNano == 0) || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return usage;
            }

            await Task.Delay(50);
        }
    }
}
